package org.fedmesh.protocols;

/**
 * Marker for bulk vector messages; bound to {@link VectorSerializer}, which writes raw little-endian numbers.
 * Jackson is 10-30x slower for large arrays (COOKBOOK.md), and these messages carry whole models.
 */
public interface VectorMessage {}
