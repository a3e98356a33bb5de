package org.fedmesh.protocols;

/** Marker for control messages; bound to Pekko's jackson-cbor serializer in reference.conf. */
public interface CborSerializable {}
