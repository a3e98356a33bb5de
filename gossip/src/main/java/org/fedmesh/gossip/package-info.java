/** Aggregation between peers as actors, generic over {@code long[]} vectors in Z_2^64: ring all-reduce. */
package org.fedmesh.gossip;
