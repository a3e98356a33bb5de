package org.fedmesh.node.membership;

import java.util.List;
import java.util.Locale;

/**
 * The seed nodes a member joins through, and why. Pekko's first seed node starts a new cluster on its own when no
 * other seed answers within {@code seed-node-timeout}. That is right the very first time a consortium forms, and
 * wrong for a member coming back from a crash: if the others are too busy to answer in time, it becomes a
 * one-member island that never rejoins them. A member that has trained before therefore joins with a list that
 * leaves itself out, so Pekko keeps asking the others until one answers and never joins itself.
 *
 * @param seeds HOST:PORT entries for {@code pekko.cluster.seed-nodes}
 * @param reason one sentence for the log
 * @param warning true when the member may still start a cluster of its own after a restart (it is the only seed)
 */
public record SeedList(List<String> seeds, String reason, boolean warning) {

  /**
   * @param configured {@code fedmesh.seed-nodes}
   * @param self this member's HOST:PORT as announced ({@code fedmesh.host}, {@code fedmesh.port})
   * @param restarted whether this member holds a checkpoint or a commit journal from an earlier run
   */
  public static SeedList choose(List<String> configured, String self, boolean restarted) {
    List<String> others = configured.stream().filter(seed -> !sameAddress(seed, self)).toList();
    if (!restarted) {
      return new SeedList(List.copyOf(configured), "first start (no checkpoint, no commit journal): joining through "
          + configured + " as configured", false);
    }
    if (others.size() == configured.size()) {
      return new SeedList(List.copyOf(configured), "restart from a checkpoint: joining through " + configured
          + ", which does not list this member (" + self + ")", false);
    }
    if (others.isEmpty()) {
      return new SeedList(List.copyOf(configured), "restart from a checkpoint, but this member (" + self
          + ") is the only seed node: it will start a cluster of its own if nobody else answers; list the other"
          + " members in fedmesh.seed-nodes to avoid that", true);
    }
    return new SeedList(others, "restart from a checkpoint: joining through " + others + ", the seed nodes without"
        + " this member (" + self + "), so that it waits for the others instead of starting a cluster alone", false);
  }

  private static boolean sameAddress(String seed, String self) {
    return seed.trim().toLowerCase(Locale.ROOT).equals(self.trim().toLowerCase(Locale.ROOT));
  }
}
