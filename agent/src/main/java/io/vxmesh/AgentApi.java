package io.vxmesh;

import io.vxmesh.api.ApiHandler;
import io.vxmesh.api.ApiMessages;
import io.vxmesh.api.Caller;
import io.vxmesh.config.Config;
import io.vxmesh.datapath.Datapath;
import io.vxmesh.datapath.DatapathDiff;
import io.vxmesh.datapath.Installed;
import io.vxmesh.datapath.Peer;
import io.vxmesh.datapath.PeerStatus;
import io.vxmesh.datapath.FilterState;
import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.datapath.VxlanFilter;
import io.vxmesh.gossip.GossipStats;
import io.vxmesh.gossip.KeyringStatus;
import io.vxmesh.gossip.Membership;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.logging.LogLevels;
import io.vxmesh.proto.ForceLeaveResponse;
import io.vxmesh.proto.KeyringKey;
import io.vxmesh.proto.KeyringResponse;
import io.vxmesh.proto.LeaveResponse;
import io.vxmesh.proto.LogLevelResponse;
import io.vxmesh.proto.NetworkStatus;
import io.vxmesh.proto.PeerRoutes;
import io.vxmesh.proto.RejectedSource;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import io.vxmesh.proto.RouteObject;
import io.vxmesh.proto.RoutesResponse;
import io.vxmesh.proto.StatusResponse;
import io.vxmesh.proto.VxlanFilterStatus;
import io.vxmesh.reconcile.DesiredState;
import io.vxmesh.reconcile.Reconciler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's answers on the local API, built from snapshots: the membership view, the
 * reconciler's last status and (for Routes) a fresh dump of the VTEP devices.
 */
final class AgentApi implements ApiHandler {
  private static final Logger LOG = LoggerFactory.getLogger(AgentApi.class);
  private final Config config;
  private final List<VtepSpec> networks;
  private final Membership membership;
  private final Reconciler reconciler;
  private final Datapath datapath;
  private final VxlanFilter filter;
  private final Supplier<String> leave;
  private final long startedNanos;

  AgentApi(Config config, List<VtepSpec> networks, Membership membership, Reconciler reconciler, Datapath datapath,
      VxlanFilter filter, Supplier<String> leave, long startedNanos) {
    this.config = config;
    this.networks = networks;
    this.membership = membership;
    this.reconciler = reconciler;
    this.datapath = datapath;
    this.filter = filter;
    this.leave = leave;
    this.startedNanos = startedNanos;
  }

  @Override
  public Response handle(Request request, Caller caller) {
    return switch (request.getKindCase()) {
      case LIST_MEMBERS -> Response.newBuilder().setListMembers(ApiMessages.listMembers(membership.view())).build();
      case STATUS -> Response.newBuilder().setStatus(status()).build();
      case ROUTES -> Response.newBuilder().setRoutes(routes()).build();
      case LEAVE -> Response.newBuilder().setLeave(LeaveResponse.newBuilder().setOk(true).setMessage(leave.get())).build();
      case LOG_LEVEL -> logLevel(request.getLogLevel().getLevel());
      case FORCE_LEAVE -> forceLeave(request.getForceLeave().getNode(), request.getForceLeave().getPrune());
      case KEYRING -> Response.newBuilder().setKeyring(keyring()).build();
      case KIND_NOT_SET -> ApiMessages.error("empty request");
    };
  }

  /** The keys in use, by fingerprint, and who signs with which (read-only, any API user). */
  private KeyringResponse keyring() {
    KeyringStatus k = membership.keyring();
    KeyringResponse.Builder b = KeyringResponse.newBuilder().setPeers(k.peers()).setUnverified(k.unverified())
        .setKeyFile(config.gossip().keyFile().toString());
    for (KeyringStatus.Key key : k.keys()) {
      b.addKeys(KeyringKey.newBuilder().setFingerprint(key.fingerprint()).setPrimary(key.primary()).setPeers(key.peers()));
    }
    return b.build();
  }

  /** Forgets a dead member in this agent's view (root only: ApiServer refuses others). */
  private Response forceLeave(String node, boolean prune) {
    if (node.isEmpty()) {
      return ApiMessages.error("force-leave needs a node name");
    }
    Membership.ForceLeave r = membership.forceLeave(node, prune);
    return Response.newBuilder().setForceLeave(ForceLeaveResponse.newBuilder().setOk(r.done()).setMessage(r.message())).build();
  }

  /** Reads, or sets (root only: ApiServer refuses others), the root log level. */
  static Response logLevel(String level) {
    if (level.isEmpty()) {
      String now = LogLevels.current();
      return Response.newBuilder().setLogLevel(LogLevelResponse.newBuilder().setLevel(now).setPrevious(now)).build();
    }
    String previous;
    try {
      previous = LogLevels.set(level);
    } catch (IllegalArgumentException e) {
      return ApiMessages.error(e.getMessage());
    }
    String now = LogLevels.current();
    if (!now.equals(previous)) {
      LOG.warn("log level changed log_level={} previous={}", now, previous);
    }
    return Response.newBuilder().setLogLevel(LogLevelResponse.newBuilder().setLevel(now).setPrevious(previous)).build();
  }

  /** The VXLAN filter's table read now: its ports, members and drop counters. */
  private VxlanFilterStatus filterStatus() {
    VxlanFilterStatus.Builder f = VxlanFilterStatus.newBuilder().setEnabled(filter != null)
        .setTable("ip " + VxlanFilter.TABLE);
    networks.stream().map(VtepSpec::port).distinct().sorted().forEach(f::addPorts);
    if (filter != null) {
      try {
        FilterState k = filter.dump();
        f.setMembers(k.members().size()).setDroppedPackets(k.droppedPackets()).setDroppedBytes(k.droppedBytes());
        if (!k.table()) {
          f.setError("table ip " + VxlanFilter.TABLE + " is missing (the next reconcile pass puts it back)");
        }
      } catch (RuntimeException e) {
        f.setError(e.getMessage());
      }
    }
    return f.build();
  }

  private StatusResponse status() {
    MembershipView view = membership.view();
    Reconciler.Status st = reconciler.status();
    GossipStats gs = membership.stats();
    StatusResponse.Builder b = StatusResponse.newBuilder()
        .setNodeName(config.nodeName())
        .setHostIp(config.gossip().advertise().getHostAddress())
        .setVersion(Version.current())
        .setUptimeMs(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos))
        .addAllMemberCounts(ApiMessages.memberCounts(view))
        .setLastReconcileUnixMs(st.passes() == 0 ? 0 : st.lastPass().toEpochMilli())
        .setLastReconcileResult(st.lastResult())
        .setLastReconcileDurationUs(st.lastDurationMicros())
        .setReconcilePasses(st.passes())
        .addAllRecentErrors(st.recentErrors())
        .setGossipRejected(gs.rejectedPackets())
        .setAnnouncementsRejected(gs.rejectedAnnouncements())
        .setReady(st.viewComplete() && "ok".equals(st.lastResult()));
    gs.rejectedBySource().forEach((src, n) -> b.addRejectedSources(RejectedSource.newBuilder().setSource(src).setCount(n)));
    for (VtepSpec spec : networks) {
      Reconciler.NetworkCounts c = st.networks().getOrDefault(spec.vni(), new Reconciler.NetworkCounts(0, 0));
      b.addNetworks(NetworkStatus.newBuilder()
          .setDevice(spec.device())
          .setVni(spec.vni())
          .setPort(spec.port())
          .setVtepMac(spec.mac().toString())
          .setVtepIp(spec.address().toString())
          .setPodCidr(config.networks().stream().filter(n -> n.vni() == spec.vni()).findFirst()
              .map(n -> n.podCidr().toString()).orElse(""))
          .setMtu(spec.mtu())
          .setDeviceUp(datapath.installed(spec).ifindex() > 0)
          .setPeersDesired(c.desired())
          .setPeersInstalled(c.installed()));
    }
    b.setVxlanFilter(filterStatus());
    return b.build();
  }

  private RoutesResponse routes() {
    MembershipView view = membership.view();
    RoutesResponse.Builder b = RoutesResponse.newBuilder();
    for (VtepSpec spec : networks) {
      Installed installed = datapath.installed(spec);
      for (Peer p : DesiredState.peersFor(view, spec.vni())) {
        PeerStatus ps = installed.status(p);
        String dev = " dev " + spec.device();
        b.addPeers(PeerRoutes.newBuilder()
            .setPeer(p.name())
            .setVni(spec.vni())
            .setDevice(spec.device())
            .addObjects(object("neighbour", p.vtepIp().getHostAddress() + " lladdr " + p.vtepMac() + dev + " nud permanent", ps.neighbour()))
            .addObjects(object("fdb", p.vtepMac() + " dst " + p.hostIp().getHostAddress() + dev + " self permanent", ps.fdb()))
            .addObjects(object("route", route(p, spec.device()), ps.route())));
      }
    }
    return b.build();
  }

  /**
   * The peer's route as {@code ip route} prints it: through the peer's nexthop object, e.g.
   * {@code 10.234.118.0/24 nhid 3004236063 via 179.17.1.31 dev vxlan0 proto 118 onlink}
   * (docs/netlink.md); not a gateway route, which would be O(N²) in the kernel.
   */
  static String route(Peer p, String device) {
    return p.podCidr() + " nhid " + Integer.toUnsignedString(DatapathDiff.nexthopId(p.vtepIp())) + " via "
        + p.vtepIp().getHostAddress() + " dev " + device + " proto " + Datapath.RTPROT_VXMESH + " onlink";
  }

  private static RouteObject object(String kind, String description, boolean installed) {
    return RouteObject.newBuilder().setKind(kind).setDescription(description).setInstalled(installed).build();
  }
}
