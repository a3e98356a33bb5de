/**
 * A member's local data: loading (CSV, IDX, bundled and synthetic sets) with errors that point at
 * the broken file, line and column; scaling; train/test splits; and seeded partitions that simulate
 * a consortium (iid or Dirichlet label skew). Pure Java, no actors.
 */
package org.fedmesh.node.data;
