package io.vxmesh.datapath;

import io.vxmesh.netlink.NftChain;
import io.vxmesh.netlink.NftRule;
import io.vxmesh.netlink.NftSet;
import java.net.Inet4Address;
import java.util.List;
import java.util.Set;

/**
 * What the kernel holds of the VXLAN filter's table ({@code ip vxmesh}) at one ruleset
 * generation: whether the table exists, its chain and set (null when absent), the chain's rules
 * with counters, and the set's elements.
 */
public record FilterState(int genId, boolean table, NftChain chain, NftSet set, List<NftRule> rules,
    Set<Inet4Address> members) {
  public FilterState {
    rules = List.copyOf(rules);
    members = Set.copyOf(members);
  }

  /** No table at all. */
  public static FilterState absent(int genId) {
    return new FilterState(genId, false, null, null, List.of(), Set.of());
  }

  /** Non-member VXLAN packets dropped so far: the sum of the rules' counters. */
  public long droppedPackets() {
    return rules.stream().mapToLong(NftRule::packets).sum();
  }

  public long droppedBytes() {
    return rules.stream().mapToLong(NftRule::bytes).sum();
  }
}
