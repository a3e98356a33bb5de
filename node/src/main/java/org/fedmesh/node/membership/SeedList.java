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
 * <p>Someone must still form the cluster when every member restarts at once (a power cut, or the split brain
 * resolver downing everyone while reachability flaps): then nobody answers, and the restarted first seed node goes
 * back to the configured list after {@code restart-join-timeout} ({@link #fallback}, see {@link SeedListFallback}).
 *
 * @param seeds HOST:PORT entries for {@code pekko.cluster.seed-nodes}
 * @param fallback the list to join through if nobody lets this member in for a while; empty = none needed
 * @param reason one sentence for the log
 * @param warning true when the member may still start a cluster of its own after a restart (it is the only seed)
 */
public record SeedList(List<String> seeds, List<String> fallback, String reason, boolean warning) {

  /**
   * @param configured {@code fedmesh.seed-nodes}
   * @param self this member's HOST:PORT as announced ({@code fedmesh.host}, {@code fedmesh.port})
   * @param restarted whether this member holds a checkpoint or a commit journal from an earlier run
   */
  public static SeedList choose(List<String> configured, String self, boolean restarted) {
    List<String> all = List.copyOf(configured);
    List<String> others = all.stream().filter(seed -> !sameAddress(seed, self)).toList();
    if (!restarted) {
      return new SeedList(all, List.of(), "first start (no checkpoint, no commit journal): joining through " + all
          + " as configured", false);
    }
    if (others.size() == all.size()) {
      return new SeedList(all, List.of(), "restart from a checkpoint: joining through " + all
          + ", which does not list this member (" + self + ")", false);
    }
    if (others.isEmpty()) {
      return new SeedList(all, List.of(), "restart from a checkpoint, but this member (" + self + ") is the only"
          + " seed node: it will start a cluster of its own if nobody else answers; list the other members in"
          + " fedmesh.seed-nodes to avoid that", true);
    }
    // Only the first seed node ever forms a cluster: the others gain nothing from going back to the full list.
    List<String> fallback = sameAddress(all.get(0), self) ? all : List.of();
    return new SeedList(others, fallback, "restart from a checkpoint: joining through " + others + ", the seed"
        + " nodes without this member (" + self + "), so that it waits for the others instead of starting a cluster"
        + " alone", false);
  }

  private static boolean sameAddress(String seed, String self) {
    return seed.trim().toLowerCase(Locale.ROOT).equals(self.trim().toLowerCase(Locale.ROOT));
  }
}
