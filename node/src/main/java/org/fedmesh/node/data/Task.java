package org.fedmesh.node.data;

/** What the label column of a table means. */
public enum Task {
  /** Labels are categories (strings or numbers), mapped to class indices. */
  CLASSIFICATION,
  /** Labels are real numbers to predict. */
  REGRESSION
}
