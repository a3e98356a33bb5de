package org.fedmesh.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeedListTest {
  private static final List<String> SEEDS = List.of("127.0.0.1:25520", "127.0.0.1:25521", "127.0.0.1:25522");

  @Test
  void choose_firstStart_keepsTheConfiguredList() {
    SeedList seeds = SeedList.choose(SEEDS, "127.0.0.1:25520", false);
    assertEquals(SEEDS, seeds.seeds());
    assertEquals(List.of(), seeds.fallback());
    assertFalse(seeds.warning());
  }

  @Test
  void choose_firstSeedRestarting_leavesItselfOut() {
    SeedList seeds = SeedList.choose(SEEDS, "127.0.0.1:25520", true);
    assertEquals(List.of("127.0.0.1:25521", "127.0.0.1:25522"), seeds.seeds());
    assertEquals(SEEDS, seeds.fallback(), "if everyone is down, it forms the cluster again in the end");
    assertFalse(seeds.warning());
    assertTrue(seeds.reason().contains("restart"), seeds.reason());
  }

  @Test
  void choose_laterSeedRestarting_leavesItselfOutAndKeepsTheOrder() {
    SeedList seeds = SeedList.choose(SEEDS, "127.0.0.1:25521", true);
    assertEquals(List.of("127.0.0.1:25520", "127.0.0.1:25522"), seeds.seeds());
    assertEquals(List.of(), seeds.fallback(), "only the first seed node ever forms a cluster");
  }

  @Test
  void choose_nonSeedRestarting_keepsTheList() {
    SeedList seeds = SeedList.choose(SEEDS, "127.0.0.1:25600", true);
    assertEquals(SEEDS, seeds.seeds());
    assertFalse(seeds.warning());
  }

  @Test
  void choose_onlySeedRestarting_keepsItselfAndWarns() {
    SeedList seeds = SeedList.choose(List.of("127.0.0.1:25520"), "127.0.0.1:25520", true);
    assertEquals(List.of("127.0.0.1:25520"), seeds.seeds());
    assertTrue(seeds.warning());
  }

  @Test
  void choose_hostCase_doesNotMatter() {
    SeedList seeds = SeedList.choose(List.of("Node-A:1", "node-b:1"), "node-a:1", true);
    assertEquals(List.of("node-b:1"), seeds.seeds());
  }
}
