/**
 * The consortium's certificates: a CA per consortium, one RSA key and certificate per member (also used for
 * Artery mutual TLS), PEM files the CLI writes and the node reads, and validation with clear reasons.
 */
package org.fedmesh.mpc.pki;
