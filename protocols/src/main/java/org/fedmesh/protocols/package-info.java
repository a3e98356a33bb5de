/**
 * Every message that crosses the wire between fedmesh nodes, grouped by protocol (one file each), and the
 * serialization bindings: control messages go through Jackson CBOR, bulk vectors through {@link VectorSerializer}.
 */
package org.fedmesh.protocols;
