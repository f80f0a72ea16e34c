package io.vxmesh.api;

import io.vxmesh.gossip.Announced;
import io.vxmesh.gossip.MemberState;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.proto.Error;
import io.vxmesh.proto.ListMembersResponse;
import io.vxmesh.proto.Member;
import io.vxmesh.proto.MemberNetwork;
import io.vxmesh.proto.Response;
import io.vxmesh.proto.StatusCount;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Membership → API messages, so the Agent's {@link ApiHandler} is a few lines: the text forms
 * here ("c2:6a:9b:e5:39:8d", "179.17.1.21/24") are the ones the CLI prints and JSON consumers
 * read. Announcements come decoded ({@link Announced}); a member whose announcement did not
 * verify or decode has none, and shows its host IP from its gossip address and no networks.
 */
public final class ApiMessages {
  private ApiMessages() {}

  /** Every member of the view, sorted by name, with its announced networks. */
  public static ListMembersResponse listMembers(MembershipView view) {
    return listMembers(view, System.currentTimeMillis());
  }

  /** {@code nowMs}: the answer time, reported as last seen for self and reachable members. */
  public static ListMembersResponse listMembers(MembershipView view, long nowMs) {
    ListMembersResponse.Builder b = ListMembersResponse.newBuilder();
    view.members().stream().sorted(Comparator.comparing(MemberState::name)).forEach(m -> b.addMembers(member(m, nowMs)));
    return b.build();
  }

  public static Member member(MemberState m) {
    return member(m, System.currentTimeMillis());
  }

  public static Member member(MemberState m, long nowMs) {
    Member.Builder b = Member.newBuilder()
        .setLastSeenUnixMs(m.seenUntilMs() == 0 ? nowMs : m.seenUntilMs())
        .setName(m.name())
        .setAddress(m.address() == null ? "" : m.address().toString())
        .setStatus(m.status().label())
        .setReason(m.reason())
        .setSelf(m.self());
    Announced a = m.announcement();
    if (a == null) {
      return b.setHostIp(m.address() == null ? "" : m.address().host().getHostAddress()).build();
    }
    b.setHostIp(a.hostIp().getHostAddress()).setVersion(a.version()).setGeneration(a.generation());
    for (Announced.Network n : a.networks()) {
      b.addNetworks(MemberNetwork.newBuilder()
          .setVni(n.vni())
          .setPort(n.port())
          .setVtepMac(n.vtepMac().toString())
          .setVtepIp(n.vtepIp().toString())
          .setPodCidr(n.podCidr().toString())
          .setMtu(n.mtu()));
    }
    return b.build();
  }

  /** Member counts by status, in {@link MemberStatus} order, statuses with no member left out. */
  public static List<StatusCount> memberCounts(MembershipView view) {
    Map<MemberStatus, Integer> counts = new EnumMap<>(MemberStatus.class);
    view.members().forEach(m -> counts.merge(m.status(), 1, Integer::sum));
    List<StatusCount> out = new ArrayList<>();
    counts.forEach((s, n) -> out.add(StatusCount.newBuilder().setStatus(s.label()).setCount(n).build()));
    return out;
  }

  /** An Error response; the CLI prints it as {@code vxmesh: the agent says: MESSAGE}. */
  public static Response error(String message) {
    return Response.newBuilder().setError(Error.newBuilder().setMessage(message)).build();
  }
}
