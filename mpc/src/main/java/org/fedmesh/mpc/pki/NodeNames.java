package org.fedmesh.mpc.pki;

import java.util.Objects;
import java.util.regex.Pattern;

/** Rules for node names (certificate CN, mask ordering key) and for DNS names in certificates. */
public final class NodeNames {

  public static final int MAX_LENGTH = 64;
  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_LENGTH + "}");
  private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  private NodeNames() {
  }

  public static boolean isValid(String nodeName) {
    return nodeName != null && NODE_NAME.matcher(nodeName).matches();
  }

  /** Returns the name if valid, else throws with the rule spelled out. */
  public static String requireValid(String nodeName) {
    Objects.requireNonNull(nodeName, "node name");
    if (!isValid(nodeName)) {
      throw new IllegalArgumentException("invalid node name '" + nodeName + "': use 1 to " + MAX_LENGTH
          + " characters from letters, digits, '-', '_' and '.'");
    }
    return nodeName;
  }

  /** RFC 1123 host name syntax: dot-separated labels of letters, digits and inner hyphens, 253 chars at most. */
  public static boolean isDnsName(String name) {
    if (name == null || name.isEmpty() || name.length() > 253) {
      return false;
    }
    for (String label : name.split("\\.", -1)) {
      if (!DNS_LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }
}
