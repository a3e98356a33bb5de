/** Secure aggregation arithmetic and crypto: pure Java, knows nothing of Pekko. */
package org.fedmesh.mpc;
