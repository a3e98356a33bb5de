package org.fedmesh.deploy.cli;

import java.util.Locale;

/** Parses on/off flags the way the README writes them. */
public final class OnOff {
  private OnOff() {}

  public static boolean parse(String option, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes" -> true;
      case "off", "false", "no" -> false;
      default -> throw new IllegalArgumentException(option + " takes on or off, not '" + value + "'");
    };
  }
}
