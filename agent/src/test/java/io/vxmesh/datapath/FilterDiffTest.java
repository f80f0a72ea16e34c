package io.vxmesh.datapath;

import static io.vxmesh.net.IpAddresses.parseV4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.netlink.NftChain;
import io.vxmesh.netlink.NftExpr;
import io.vxmesh.netlink.NftRule;
import io.vxmesh.netlink.NftSet;
import java.net.Inet4Address;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The filter's diff without a kernel: what is written for each kind of difference. */
class FilterDiffTest {
  static final Inet4Address A = parseV4("10.211.55.6");
  static final Inet4Address B = parseV4("10.211.55.7");
  static final Inet4Address C = parseV4("10.211.55.8");

  static NftRule installed(int port, long handle, long packets) {
    List<NftExpr> exprs = new java.util.ArrayList<>(VxlanFilter.rule(port).exprs());
    exprs.set(6, new NftExpr.Counter(packets, packets * 100));
    return new NftRule(VxlanFilter.FAMILY, VxlanFilter.TABLE, VxlanFilter.CHAIN, handle, exprs);
  }

  static FilterState state(List<NftRule> rules, Set<Inet4Address> members) {
    NftChain c = VxlanFilter.chain();
    return new FilterState(7, true, new NftChain(c.family(), c.table(), c.name(), c.type(), c.hook(), c.priority(), c.policy(), 1),
        VxlanFilter.set(), rules, members);
  }

  @Test
  void nothingInTheKernelMeansEverythingIsCreatedWithAllMembers() {
    FilterDiff.Plan p = FilterDiff.compute(FilterState.absent(3), Set.of(4789), Set.of(B, A), false);
    assertTrue(p.tableAdd() && p.chainAdd() && p.setAdd());
    assertEquals(List.of(4789), p.portsAdd());
    assertEquals(List.of(A, B), p.membersAdd());
    assertEquals(List.of("table"), p.structure());
  }

  @Test
  void aMembershipChangeIsOnlyElementsAndCountersAreKept() {
    FilterState k = state(List.of(installed(4789, 5, 42)), Set.of(A, B));
    FilterDiff.Plan p = FilterDiff.compute(k, Set.of(4789), Set.of(B, C), true);
    assertEquals(List.of(C), p.membersAdd());
    assertEquals(List.of(A), p.membersDel());
    assertEquals(List.of(), p.rulesDel());
    assertEquals(List.of(), p.portsAdd());
    assertEquals(List.of(), p.structure());
    assertEquals(42, k.droppedPackets());
    assertEquals(List.of(), FilterDiff.compute(k, Set.of(4789), Set.of(B, C), false).membersDel(), "nothing removed before a complete view");
    assertTrue(FilterDiff.compute(k, Set.of(4789), Set.of(A, B), true).empty());
  }

  @Test
  void strangeAndDuplicateRulesGoMissingPortsCome() {
    NftRule stranger = new NftRule(VxlanFilter.FAMILY, VxlanFilter.TABLE, VxlanFilter.CHAIN, 9,
        List.of(new NftExpr.Other("reject")));
    FilterState k = state(List.of(installed(4789, 5, 1), installed(4789, 6, 2), stranger), Set.of(A));
    FilterDiff.Plan p = FilterDiff.compute(k, Set.of(4789, 4899), Set.of(A), true);
    assertEquals(List.of(6L, 9L), p.rulesDel());
    assertEquals(List.of(4899), p.portsAdd());
    assertEquals(List.of("rule"), p.structure());
  }

  @Test
  void aSetOrChainOfTheWrongShapeRebuildsTheTable() {
    FilterState wrongSet = new FilterState(1, true, state(List.of(), Set.of()).chain(),
        new NftSet(VxlanFilter.FAMILY, VxlanFilter.TABLE, VxlanFilter.SET, 0, 13, 2, 0), List.of(), Set.of());
    FilterDiff.Plan p = FilterDiff.compute(wrongSet, Set.of(4789), Set.of(A), true);
    assertTrue(p.rebuild() && p.tableAdd() && p.setAdd() && p.chainAdd());
    assertEquals(List.of("table(rebuilt)"), p.structure());
    FilterState noChain = new FilterState(1, true, null, VxlanFilter.set(), List.of(), Set.of(A));
    FilterDiff.Plan q = FilterDiff.compute(noChain, Set.of(4789), Set.of(A), true);
    assertEquals(List.of("chain"), q.structure());
    assertEquals(List.of(4789), q.portsAdd());
    assertEquals(List.of(), q.membersAdd());
  }
}
