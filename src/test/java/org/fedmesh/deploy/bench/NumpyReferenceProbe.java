package org.fedmesh.deploy.bench;

/** Whether python3 with numpy runs here, for tests outside this package. */
public final class NumpyReferenceProbe {
  private NumpyReferenceProbe() {}

  public static boolean numpyPresent() {
    return NumpyReference.numpyVersion().isPresent();
  }
}
