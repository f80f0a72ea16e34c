package io.vxmesh.swim;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.vxmesh.proto.swim.Ack;
import io.vxmesh.proto.swim.Alive;
import io.vxmesh.proto.swim.Dead;
import io.vxmesh.proto.swim.IndirectPing;
import io.vxmesh.proto.swim.Nack;
import io.vxmesh.proto.swim.Packet;
import io.vxmesh.proto.swim.Ping;
import io.vxmesh.proto.swim.PushPull;
import io.vxmesh.proto.swim.Suspect;
import io.vxmesh.proto.swim.SwimMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of vxmesh's SWIM + Lifeguard membership protocol, as pure logic over a
 * {@link Transport} and a {@link Scheduler} it does not own.
 *
 * <p>What it does, in the manner of memberlist (whose design, not code, it follows):
 * <ul>
 *   <li><b>Failure detection</b> (SWIM): every probe interval, ping the next member of a shuffled
 *       round-robin list; no ack within the probe timeout → ask {@code indirectChecks} others to
 *       ping it (they nack if they get nothing either); still no ack at the end of the interval →
 *       suspect it. The suspect is told directly too, so a live member refutes within a round
 *       trip instead of waiting for the rumour to reach it.
 *   <li><b>Suspicion and refutation</b>: a suspect is declared dead when its {@link Suspicion}
 *       timer fires; the timer shrinks with independent confirmations (Lifeguard). A member that
 *       hears it is suspected or dead raises its incarnation and broadcasts that it is alive;
 *       higher incarnations win everywhere.
 *   <li><b>Local health</b> ({@link Awareness}): missed acks without helpers' nacks, and having to
 *       refute, stretch this node's own probe interval and timeout.
 *   <li><b>Dissemination</b>: alive/suspect/dead rumours go in a {@link BroadcastQueue}, ride on
 *       every datagram (compound packets up to {@code maxPacketBytes}) and on a gossip round to
 *       {@code gossipNodes} random members every gossip interval, each sent
 *       {@code retransmitMult·ceil(log10(N+1))} times.
 *   <li><b>Anti-entropy</b>: a push-pull full state exchange over the stream channel with one
 *       random member every push-pull interval (longer for big clusters); joining is a push-pull
 *       with a seed. Remote "dead" is merged as "suspect", so stale news is re-checked, not
 *       believed.
 *   <li><b>Leave</b>: a dead message about oneself at one's own incarnation; <b>announcement
 *       update</b>: a new incarnation with the new bytes.
 * </ul>
 *
 * <p>Threading: not thread-safe. Every method, every transport delivery and every scheduled task
 * must run on the one thread of the {@link Scheduler} (see its contract).
 */
public final class SwimNode {
  private static final Logger log = LoggerFactory.getLogger(SwimNode.class);
  /** Bytes a Packet adds around its messages beyond {@link BroadcastQueue#PER_MESSAGE_OVERHEAD}. */
  private static final int PACKET_OVERHEAD = 4;
  /** A join request bringing more news than this is a partition healing, not a new member: no fan-out. */
  private static final int MAX_JOIN_NEWS = 4;
  /** Members new to us but listed suspect or dead in one table that are pinged at once (learnUnverified). */
  private static final int MAX_RECHECKS_PER_MERGE = 8;
  /** Pings of such a member while it stays dead here: at once, then after 1, 2 and 4 s. */
  private static final int RECHECK_ATTEMPTS = 4;

  /** A member's state in this node's view (mutable, private). */
  private static final class State {
    final String name;
    String address;
    long incarnation;
    MemberStatus status;
    byte[] announcement;
    long changedNanos;
    Suspicion suspicion;
    Scheduler.Cancellable suspicionTimer;
    boolean listed;
    /** Listed dead on a peer's word only (learnUnverified): an alive at the same incarnation wins. */
    boolean unverified;

    State(String name, String address, byte[] announcement) {
      this.name = name;
      this.address = address;
      this.announcement = announcement;
      this.status = MemberStatus.LEFT; // until first heard of: neither live nor counted dead
    }

    Member snapshot() {
      return new Member(name, address, incarnation, status, announcement);
    }

    boolean live() {
      return status == MemberStatus.ALIVE || status == MemberStatus.SUSPECT;
    }
  }

  /** An outstanding ack: our own probe, or one we relay for an indirect prober. */
  private abstract static sealed class Pending permits Probe, Relay, Reconnect {
    final int seq;
    Scheduler.Cancellable timer;

    Pending(int seq) {
      this.seq = seq;
    }
  }

  private static final class Probe extends Pending {
    final String target;
    /** The probed member's state when the probe went out: saves a map lookup per ack. */
    final State targetState;
    boolean acked;
    int expectedNacks;
    int nacks;

    Probe(int seq, State target) {
      super(seq);
      this.target = target.name;
      this.targetState = target;
    }
  }

  private static final class Relay extends Pending {
    final String requester;
    final int requesterSeq;
    Scheduler.Cancellable nackTimer;

    Relay(int seq, String requester, int requesterSeq) {
      super(seq);
      this.requester = requester;
      this.requesterSeq = requesterSeq;
    }
  }

  /** A ping to a member we think dead: an ack means a healed partition, so sync with it. */
  private static final class Reconnect extends Pending {
    final String address;

    Reconnect(int seq, String address) {
      super(seq);
      this.address = address;
    }
  }

  /**
   * Outstanding acks by sequence number, in a ring (slot = seq mod 256): a handful are
   * outstanding at a time, each for at most a few probe periods, so a live entry is overwritten
   * only past 256 new sequence numbers in that time; its ack would then count as missed, which
   * the protocol tolerates. (A HashMap of boxed keys was a hot spot of the simulator's profile.)
   */
  private static final class PendingAcks {
    private final Pending[] ring = new Pending[256];

    void put(int seq, Pending p) {
      ring[seq & 255] = p;
    }

    Pending get(int seq) {
      Pending p = ring[seq & 255];
      return p != null && p.seq == seq ? p : null;
    }

    Pending remove(int seq) {
      Pending p = get(seq);
      if (p != null) {
        ring[seq & 255] = null;
      }
      return p;
    }

    void remove(int seq, Pending expected) {
      if (get(seq) == expected) {
        ring[seq & 255] = null;
      }
    }

    void clear(java.util.function.Consumer<Pending> onEach) {
      for (int i = 0; i < ring.length; i++) {
        if (ring[i] != null) {
          onEach.accept(ring[i]);
          ring[i] = null;
        }
      }
    }
  }

  private final SwimConfig config;
  private final Transport transport;
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final MembershipListener listener;
  private final State self;
  private final NameIndex<State> members = new NameIndex<>(s -> s.name);
  /** Probe order; also the population random choices are drawn from. Deterministic order. */
  private final List<State> probeList = new ArrayList<>();
  private final PendingAcks pending = new PendingAcks();
  private final BroadcastQueue broadcasts;
  private final Awareness awareness;
  private final long probeIntervalNanos;
  private final long probeTimeoutNanos;
  private final long gossipIntervalNanos;
  private int probeIndex;
  private Probe lastProbe;
  private long gossipPhase;
  private boolean gossipArmed;
  private int seq;
  private int live;
  private int deadCount;
  /**
   * The members with status DEAD, in the order they died (not probe order). Kept so the
   * reconnect tick need not read every member's state (a cache miss each at 1,000 members).
   */
  private final List<State> deadMembers = new ArrayList<>();
  private boolean running;
  /** While merging the answer to our own join: learn, but do not re-broadcast (see onStream). */
  private boolean quietMerge;
  /** While merging a join request: the alive messages it brought that were news here, else null. */
  private List<SwimMessage> joinNews;
  private boolean leaving;
  private boolean joined = true;
  private java.util.function.Supplier<List<String>> joinSupplier = List::of;
  private Scheduler.Cancellable joinTimer;
  private Scheduler.Cancellable pushPullTimer;
  private long malformed;
  private long misrouted;
  private int maxMembers = Integer.MAX_VALUE;
  private long refused;
  private ValueSharing sharing = ValueSharing.NONE;

  public SwimNode(SwimConfig config, String name, String address, byte[] announcement, Transport transport,
      Scheduler scheduler, RandomGenerator random, MembershipListener listener) {
    this.config = Objects.requireNonNull(config, "config");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.random = Objects.requireNonNull(random, "random");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.self = new State(name, address, announcement.clone());
    this.broadcasts = new BroadcastQueue(config, () -> live, this::armGossip);
    this.awareness = new Awareness(config.awarenessMax());
    this.probeIntervalNanos = config.probeInterval().toNanos();
    this.probeTimeoutNanos = config.probeTimeout().toNanos();
    this.gossipIntervalNanos = config.gossipInterval().toNanos();
  }

  // ---------------------------------------------------------------- API

  /** Starts the timers (first ticks at random offsets, so members do not tick in step). */
  public void start() {
    start(1);
  }

  /**
   * Starts at incarnation {@code incarnation} (at least 1). An agent passes its wall clock in
   * milliseconds, so a restarted member outbids what peers remember of its previous run at once
   * instead of being refuted back to life after a round trip.
   */
  public void start(long incarnation) {
    if (running) {
      return;
    }
    running = true;
    self.status = MemberStatus.ALIVE;
    self.incarnation = Math.max(self.incarnation, Math.max(1, incarnation));
    self.changedNanos = scheduler.nanoTime();
    insert(self);
    live = 1;
    scheduler.schedule(jitter(probeIntervalNanos), this::probeTick);
    gossipPhase = scheduler.nanoTime() + jitter(gossipIntervalNanos);
    broadcastAlive(self);
    if (!config.pushPullInterval().isZero()) {
      pushPullTimer = scheduler.schedule(jitter(config.pushPullNanos(1)), this::pushPullTick);
    }
    if (!config.reconnectInterval().isZero()) {
      scheduler.schedule(jitter(config.reconnectInterval().toNanos()), this::reconnectTick);
    }
  }

  /**
   * Joins through the first seed that answers a push-pull (seeds tried in turn, every join
   * timeout, until one answers). Own address is skipped; no other seed means a cluster of one.
   * Call after {@link #start()}.
   */
  public void join(List<String> seedAddresses) {
    List<String> fixed = List.copyOf(seedAddresses);
    join(() -> fixed);
  }

  /**
   * Like {@link #join(List)}, but the seeds are asked for again before every attempt (DNS names
   * resolved anew). Joining while already joined starts over: the agent does that when it is
   * alone, so a mesh whose seeds come back later is found again.
   */
  public void join(java.util.function.Supplier<List<String>> seedAddresses) {
    joinSupplier = seedAddresses;
    if (others(seedAddresses.get()).isEmpty()) {
      return;
    }
    cancel(joinTimer);
    joined = false;
    joinAttempt(0);
  }

  private List<String> others(List<String> addresses) {
    return addresses.stream().filter(a -> !a.equals(self.address)).toList();
  }

  /**
   * Merges {@code pushPull}, a full member table, as the answer to a join would be: quietly
   * (nothing re-broadcast) and marking this member joined. The simulator starts 10,000 members
   * with converged views this way, to measure dissemination without a 10,000-join ramp. An
   * agent never calls it. Call after {@link #start()}.
   */
  public void adoptView(byte[] pushPull) {
    cancel(joinTimer);
    joined = false;
    onStream(self.address, pushPull);
  }

  /**
   * Keeps at most {@code max} members (self included): a new name beyond it takes the slot of
   * the longest-departed dead or left member, or is refused (counted) when every slot is live.
   * Bounds what a cluster key holder minting names can make this node remember.
   */
  public void limitMembers(int max) {
    if (max < 2) {
      throw new IllegalArgumentException("max members must be at least 2, not " + max);
    }
    maxMembers = max;
  }

  /**
   * Shares names, addresses, announcements and queued alive messages with other nodes in this
   * JVM through {@code sharing} (the simulator's thousands of nodes); an agent never calls it.
   * Call before {@link #start()}.
   */
  public void shareValues(ValueSharing sharing) {
    this.sharing = Objects.requireNonNull(sharing, "sharing");
    broadcasts.shareValues(sharing);
  }

  /** New members refused because {@link #limitMembers} was reached. */
  public long refusedMembers() {
    return refused;
  }

  /** Publishes a new announcement: a new incarnation, broadcast like any alive message. */
  public void updateAnnouncement(byte[] announcement) {
    self.announcement = announcement.clone();
    self.incarnation++;
    broadcastAlive(self);
  }

  /** Leaves: broadcasts our own death; keep running a few gossip intervals, then {@link #stop()}. */
  public void leave() {
    leaving = true;
    dead(self.name, self.incarnation, self.name);
  }

  /** Stops all timers and ignores further traffic. */
  public void stop() {
    running = false;
    for (State s : probeList) {
      cancelSuspicion(s);
    }
    pending.clear(p -> cancel(p.timer));
    cancel(joinTimer);
  }

  public String name() {
    return self.name;
  }

  public long incarnation() {
    return self.incarnation;
  }

  /** All members this node knows, itself included, dead and left ones until reaped; by name. */
  public List<Member> members() {
    List<Member> out = new ArrayList<>(probeList.size());
    for (State s : probeList) {
      out.add(s.snapshot());
    }
    out.sort(Comparator.comparing(Member::name));
    return out;
  }

  public Optional<Member> member(String name) {
    State s = members.get(name);
    return s == null ? Optional.empty() : Optional.of(s.snapshot());
  }

  /** Alive and suspect members, itself included. */
  public int liveMembers() {
    return live;
  }

  /** Lifeguard local health score: 0 is healthy. */
  public int localHealth() {
    return awareness.score();
  }

  /** True once a join push-pull was answered (or no join was asked for). */
  public boolean joined() {
    return joined;
  }

  /** Inbound datagrams and streams that did not decode, dropped. */
  public long malformedDropped() {
    return malformed;
  }

  /** Pings meant for another node name at this address, dropped. */
  public long misroutedDropped() {
    return misrouted;
  }

  // ---------------------------------------------------------------- inbound

  /** A datagram from {@code fromAddress}; garbage is dropped and counted. */
  public void onDatagram(String fromAddress, byte[] bytes) {
    Packet packet = running ? parse(Packet.parser(), fromAddress, bytes) : null;
    if (packet == null) {
      return;
    }
    for (SwimMessage m : packet.getMessagesList()) {
      switch (m.getBodyCase()) {
        case PING -> onPing(fromAddress, m.getPing());
        case INDIRECT_PING -> onIndirectPing(fromAddress, m.getIndirectPing());
        case ACK -> onAck(m.getAck().getSeq());
        case NACK -> onNack(m.getNack().getSeq());
        case ALIVE -> alive(m.getAlive());
        case SUSPECT -> {
          Suspect x = m.getSuspect();
          answerIfStale(x.getNode(), x.getIncarnation(), x.getFrom(), fromAddress);
          suspect(x.getNode(), x.getIncarnation(), x.getFrom());
        }
        case DEAD -> {
          Dead x = m.getDead();
          answerIfStale(x.getNode(), x.getIncarnation(), x.getFrom(), fromAddress);
          dead(x.getNode(), x.getIncarnation(), x.getFrom());
        }
        case BODY_NOT_SET -> malformed++;
      }
    }
  }

  /**
   * An accusation of ourselves at an incarnation we have already refuted: whoever makes it, and
   * whoever passed it on, missed our refutation, whose gossip may be over. They would suspect
   * us (and declare us dead) on old news until a push-pull or a reconnect ping, and we would
   * ignore it: bench spread saw one member suspect another for 6 s, then list it failed. Our
   * current alive goes straight back to both, no broadcast.
   */
  private void answerIfStale(String node, long inc, String accuser, String fromAddress) {
    if (!node.equals(self.name) || inc >= self.incarnation || leaving) {
      return;
    }
    SwimMessage alive = aliveMessage(self);
    State a = members.get(accuser);
    if (a != null && a != self && a.live() && !a.address.equals(fromAddress)) {
      send(a.address, alive);
    }
    send(fromAddress, alive);
  }

  /** A stream message (push-pull) from {@code fromAddress}; garbage is dropped and counted. */
  public void onStream(String fromAddress, byte[] bytes) {
    PushPull pp = running ? parse(PushPull.parser(), fromAddress, bytes) : null;
    if (pp == null) {
      return;
    }
    // Merge first, then answer: refutations the merge provokes (we were thought dead or
    // suspect over there) ride back in the answer, which is what heals a partition.
    // The answer to our join is the seed's whole table: new to us, old news to everyone else.
    // Re-broadcasting it put ~N stale alive messages in every joiner's queue, ahead of the
    // news of other joins (fewest sent go first); the seed broadcasts the joiner itself.
    quietMerge = pp.getReply() && !joined;
    List<SwimMessage> news = pp.getJoin() && !pp.getReply() && config.joinFanout() > 0 ? new ArrayList<>() : null;
    joinNews = news;
    try {
      merge(pp);
    } finally {
      quietMerge = false;
      joinNews = null;
    }
    if (!pp.getReply()) {
      transport.sendStream(fromAddress, localState(false, true).toByteArray());
    }
    if (news != null) {
      joinFanout(news);
    }
    if (pp.getReply() && !joined) {
      joined = true;
      cancel(joinTimer);
      // The first periodic push-pull, drawn at start for a cluster of one (the base interval), is
      // drawn again for the size just learned: 100 agents started together all synced within
      // 30 s of their start (bench spread's idle window caught that wave: 2x the steady bytes
      // and CPU); at 1,000 members that wave would be ~13 KB/s per member for half a minute.
      if (pushPullTimer != null) {
        cancel(pushPullTimer);
        pushPullTimer = scheduler.schedule(jitter(config.pushPullNanos(live)), this::pushPullTick);
      }
      log.debug("{} joined members={}", self.name, live);
    }
  }

  /** Decodes, or counts and logs (one line per 1,000 drops) and returns null. */
  private <T> T parse(Parser<T> parser, String from, byte[] bytes) {
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      if (malformed++ % 1000 == 0) {
        log.warn("{} dropped undecodable swim message from={} dropped_total={} reason={}", self.name, from, malformed,
            e.getMessage());
      }
      return null;
    }
  }

  private void onPing(String from, Ping ping) {
    if (!ping.getTarget().equals(self.name)) {
      misrouted++;
      return;
    }
    send(from, SwimMessage.newBuilder().setAck(Ack.newBuilder().setSeq(ping.getSeq())).build());
  }

  private void onIndirectPing(String from, IndirectPing req) {
    int s = ++seq;
    Relay relay = new Relay(s, from, req.getSeq());
    pending.put(s, relay);
    send(req.getTargetAddress(), ping(s, req.getTarget()));
    // The nack must reach the requester before its probe period ends: its indirect phase lasts
    // probeInterval - probeTimeout (>= probeTimeout unless scaled up), so nack well before that.
    if (req.getWantNack()) {
      relay.nackTimer = scheduler.schedule(probeTimeoutNanos * 4 / 5, () -> {
        if (pending.get(s) == relay && running) {
          send(from, SwimMessage.newBuilder().setNack(Nack.newBuilder().setSeq(req.getSeq())).build());
        }
      });
    }
    relay.timer = scheduler.schedule(probeTimeoutNanos, () -> pending.remove(s, relay));
  }

  private void onAck(int ackSeq) {
    Pending p = pending.remove(ackSeq);
    if (p instanceof Probe probe) {
      probe.acked = true;
      cancel(probe.timer);
      awareness.apply(-1);
      State target = current(probe);
      if (target != null && target.status == MemberStatus.SUSPECT) {
        // It answers but is suspected (maybe it never heard, e.g. the accusation was lost in a
        // partition): tell it, so it refutes instead of being declared dead.
        send(target.address, suspectMessage(target.name, target.incarnation, self.name));
      }
    } else if (p instanceof Relay relay) {
      cancel(relay.timer);
      cancel(relay.nackTimer);
      send(relay.requester, SwimMessage.newBuilder().setAck(Ack.newBuilder().setSeq(relay.requesterSeq)).build());
    } else if (p instanceof Reconnect r) {
      cancel(r.timer);
      log.debug("{} failed member answers, syncing address={}", self.name, r.address);
      transport.sendStream(r.address, localState(false, false).toByteArray());
    }
  }

  private void onNack(int nackSeq) {
    if (pending.get(nackSeq) instanceof Probe probe) {
      probe.nacks++;
    }
  }

  // ---------------------------------------------------------------- probing

  private void probeTick() {
    if (!running) {
      return;
    }
    if (lastProbe != null) {
      probeEnded(lastProbe);
      lastProbe = null;
    }
    long period = awareness.scale(probeIntervalNanos);
    State target = nextProbeTarget();
    if (target != null) {
      probe(target);
    }
    scheduler.schedule(period, this::probeTick);
  }

  private State nextProbeTarget() {
    for (int checked = 0; checked <= probeList.size(); checked++) {
      if (probeIndex >= probeList.size()) {
        resetProbeList();
      }
      State s = probeList.get(probeIndex++);
      if (s != self && s.live()) {
        return s;
      }
    }
    return null;
  }

  /** End of a round: forget long-dead members, reshuffle (Fisher-Yates with our random). */
  private void resetProbeList() {
    probeIndex = 0;
    long now = scheduler.nanoTime();
    long reap = config.reapAfter().toNanos();
    probeList.removeIf(s -> {
      boolean gone = !s.live() && s != self && now - s.changedNanos > reap;
      if (gone) {
        members.remove(s.name);
        s.listed = false;
        if (s.status == MemberStatus.DEAD) {
          deadCount--;
          deadMembers.remove(s);
        }
      }
      return gone;
    });
    for (int i = probeList.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      State t = probeList.get(i);
      probeList.set(i, probeList.get(j));
      probeList.set(j, t);
    }
  }

  /** A probe ends when the next probe tick comes (one probe period later): see {@link #probeEnded}. */
  private void probe(State target) {
    int s = ++seq;
    Probe probe = new Probe(s, target);
    pending.put(s, probe);
    lastProbe = probe;
    send(target.address, ping(s, target.name));
    probe.timer = scheduler.schedule(awareness.scale(probeTimeoutNanos), () -> indirectProbe(probe, target));
  }

  private void indirectProbe(Probe probe, State target) {
    if (probe.acked || !running) {
      return;
    }
    List<State> helpers = randomMembers(config.indirectChecks(), s -> s.status == MemberStatus.ALIVE && s != target);
    SwimMessage req = SwimMessage.newBuilder().setIndirectPing(IndirectPing.newBuilder().setSeq(probe.seq)
        .setTarget(target.name).setTargetAddress(target.address).setWantNack(true)).build();
    for (State h : helpers) {
      send(h.address, req);
    }
    probe.expectedNacks = helpers.size();
  }

  /** At the end of the probe period: no ack, directly or relayed, means suspect. */
  private void probeEnded(Probe probe) {
    pending.remove(probe.seq);
    cancel(probe.timer);
    if (probe.acked || !running) {
      return;
    }
    // Helpers that stayed silent (no ack, no nack) point at our own network or CPU; with no
    // helpers, every failed probe counts against us.
    awareness.apply(probe.expectedNacks > 0 ? Math.max(0, probe.expectedNacks - probe.nacks) : 1);
    State target = current(probe);
    if (target == null || !target.live()) {
      return;
    }
    SwimMessage accusation = suspectMessage(target.name, target.incarnation, self.name);
    suspect(target.name, target.incarnation, self.name);
    send(target.address, accusation);
  }

  // ---------------------------------------------------------------- gossip and push-pull

  /**
   * Gossip ticks run only while there is something to send (an idle member schedules nothing),
   * on a fixed phase: a broadcast queued between ticks waits for the next multiple of the
   * gossip interval, as with a free-running ticker.
   */
  private void armGossip() {
    if (gossipArmed || !running) {
      return;
    }
    gossipArmed = true;
    long now = scheduler.nanoTime();
    long wait = now < gossipPhase ? gossipPhase - now : gossipIntervalNanos - (now - gossipPhase) % gossipIntervalNanos;
    scheduler.schedule(wait, this::gossipTick);
  }

  private void gossipTick() {
    if (!running || broadcasts.isEmpty()) {
      gossipArmed = false;
      return;
    }
    scheduler.schedule(gossipIntervalNanos, this::gossipTick);
    long now = scheduler.nanoTime();
    long toTheDead = config.gossipToTheDead().toNanos();
    List<State> targets = randomMembers(config.gossipNodes(),
        s -> s.live() || now - s.changedNanos < toTheDead);
    for (State t : targets) {
      List<byte[]> msgs = broadcasts.takeEncoded(config.maxPacketBytes() - PACKET_OVERHEAD);
      if (msgs.isEmpty()) {
        // Only broadcasts larger than a packet are left (an announcement with many votes): send
        // one alone rather than never; the transport carries datagrams up to 64 KB.
        msgs = broadcasts.takeEncodedOne();
        if (msgs.isEmpty()) {
          return;
        }
      }
      transport.sendDatagram(t.address, Packets.encode(null, msgs));
    }
  }

  /**
   * A join request brought news (the joiner itself): besides the gossip queue, send it straight
   * to {@code joinFanout} random live members, so the mesh hears of the joiner within a round
   * trip rather than one gossip hop per tick. Only for a few news: a member re-joining after a
   * partition brings its whole side, which push-pull and gossip carry.
   */
  private void joinFanout(List<SwimMessage> news) {
    if (news.isEmpty() || news.size() > MAX_JOIN_NEWS) {
      return;
    }
    Set<String> about = new HashSet<>();
    List<byte[]> encoded = new ArrayList<>(news.size());
    for (SwimMessage m : news) {
      about.add(m.getAlive().getNode());
      encoded.add(m.toByteArray());
    }
    byte[] packet = Packets.encode(null, encoded);
    // A true sample, not randomMembers' bounded retries: those miss about one member of 20 when
    // asked for all of them, and that member then waits for gossip.
    List<State> eligible = new ArrayList<>();
    for (State s : probeList) {
      if (s != self && s.status == MemberStatus.ALIVE && !about.contains(s.name)) {
        eligible.add(s);
      }
    }
    int k = Math.min(config.joinFanout(), eligible.size());
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(eligible.size() - i);
      State t = eligible.get(j);
      eligible.set(j, eligible.get(i));
      transport.sendDatagram(t.address, packet);
    }
  }

  private void pushPullTick() {
    if (!running) {
      return;
    }
    pushPullTimer = scheduler.schedule(config.pushPullNanos(live), this::pushPullTick);
    List<State> peer = randomMembers(1, s -> s.status == MemberStatus.ALIVE);
    if (!peer.isEmpty()) {
      transport.sendStream(peer.get(0).address, localState(false, false).toByteArray());
    }
  }

  /**
   * Every reconnect interval, ping one random failed (not departed) member. A partition makes
   * each side declare the other dead, and nobody probes the dead: without this, healed halves
   * would never meet again (Serf's reconnect, done cheaply: a ping first, state only on an ack).
   */
  private void reconnectTick() {
    if (!running) {
      return;
    }
    scheduler.schedule(config.reconnectInterval().toNanos(), this::reconnectTick);
    if (deadCount == 0) {
      return;
    }
    List<State> dead = deadInProbeOrder();
    if (dead.isEmpty()) {
      return;
    }
    reconnect(dead.get(random.nextInt(dead.size())));
  }

  /** Pings a member we think dead; an ack syncs state with it (see {@link Reconnect}). */
  private void reconnect(State target) {
    int s = ++seq;
    Reconnect r = new Reconnect(s, target.address);
    pending.put(s, r);
    send(target.address, ping(s, target.name));
    r.timer = scheduler.schedule(probeTimeoutNanos, () -> pending.remove(s, r));
  }

  /**
   * The dead members in probe-list order (the order the random choice is drawn over). A few
   * dead members are located by reference in the list, which touches no member's state.
   */
  private List<State> deadInProbeOrder() {
    if (deadMembers.size() > 8) {
      List<State> dead = new ArrayList<>();
      for (State s : probeList) {
        if (s.status == MemberStatus.DEAD) {
          dead.add(s);
        }
      }
      return dead;
    }
    List<State> dead = new ArrayList<>(deadMembers);
    if (dead.size() > 1) {
      int[] index = new int[dead.size()];
      for (int i = 0; i < index.length; i++) {
        index[i] = probeList.indexOf(dead.get(i));
      }
      Integer[] order = new Integer[index.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, Comparator.comparingInt(i -> index[i]));
      List<State> sorted = new ArrayList<>(order.length);
      for (int i : order) {
        sorted.add(dead.get(i));
      }
      return sorted;
    }
    return dead;
  }

  /** What {@code members.get(probe.target)} returns, without the lookup while the state is listed. */
  private State current(Probe probe) {
    return probe.targetState.listed ? probe.targetState : members.get(probe.target);
  }

  private void joinAttempt(int attempt) {
    if (joined || !running) {
      return;
    }
    List<String> seeds = others(joinSupplier.get());
    if (!seeds.isEmpty()) {
      String seed = seeds.get(attempt % seeds.size());
      transport.sendStream(seed, localState(true, false).toByteArray());
    }
    joinTimer = scheduler.schedule(config.joinTimeout().toNanos(), () -> joinAttempt(attempt + 1));
  }

  private PushPull localState(boolean join, boolean reply) {
    PushPull.Builder b = PushPull.newBuilder().setJoin(join).setReply(reply);
    for (State s : probeList) {
      b.addMembersBuilder().setNode(s.name).setAddress(s.address).setIncarnation(s.incarnation)
          .setStatus(io.vxmesh.proto.swim.MemberState.Status.forNumber(s.status.ordinal()))
          .setAnnouncement(ByteString.copyFrom(s.announcement));
    }
    return b.build();
  }

  private void merge(PushPull pp) {
    int rechecks = 0;
    for (io.vxmesh.proto.swim.MemberState m : pp.getMembersList()) {
      switch (m.getStatus()) {
        case ALIVE -> alive(Alive.newBuilder().setNode(m.getNode()).setAddress(m.getAddress())
            .setIncarnation(m.getIncarnation()).setAnnouncement(m.getAnnouncement()).build());
        case LEFT -> dead(m.getNode(), m.getIncarnation(), m.getNode());
        // Someone else's verdict may be stale: re-check it ourselves rather than believe it.
        case SUSPECT, DEAD -> {
          State s = members.get(m.getNode());
          if ((s == null || !s.listed) && !m.getNode().equals(self.name)) {
            if (learnUnverified(m, rechecks < MAX_RECHECKS_PER_MERGE)) {
              rechecks++;
            }
          } else {
            suspect(m.getNode(), m.getIncarnation(), self.name);
          }
        }
        default -> malformed++;
      }
    }
  }

  /**
   * A member we never heard of, listed suspect or dead in a peer's table. Ignoring it (as
   * memberlist does) left it out of a joiner's view until the next push-pull, 90 s at 100
   * members, when the seed's suspicion was false and the refutation's gossip was over before
   * the joiner could hear it (bench spread: one view lacked one live member for 20+ s). So it
   * is listed as dead, quietly (no event, no broadcast: nobody is told anything new), marked
   * unverified, so that gossip of it alive at the very incarnation of that verdict still counts
   * (a verified death would outrank it), and, for the first few per table, pinged at once and
   * again after 1, 2 and 4 s while it stays dead here: an ack syncs state with it like a healed
   * partition, and it is alive here one round trip later. The rest wait for the reconnect tick.
   *
   * @return whether it is being pinged
   */
  private boolean learnUnverified(io.vxmesh.proto.swim.MemberState m, boolean ping) {
    if (probeList.size() >= maxMembers && !evictDeparted()) {
      refused++;
      return false;
    }
    State s = new State(sharing.string(m.getNode()), sharing.string(m.getAddress()),
        sharing.bytes(m.getAnnouncement().toByteArray()));
    s.incarnation = m.getIncarnation();
    s.unverified = true;
    insert(s);
    setStatus(s, MemberStatus.DEAD);
    if (ping) {
      recheck(s, 0);
    }
    return ping;
  }

  private void recheck(State s, int attempt) {
    if (!running || !s.listed || !s.unverified || s.status != MemberStatus.DEAD) {
      return;
    }
    reconnect(s);
    if (attempt < RECHECK_ATTEMPTS - 1) {
      scheduler.schedule(TimeUnit.SECONDS.toNanos(1L << attempt), () -> recheck(s, attempt + 1));
    }
  }

  // ---------------------------------------------------------------- state machine

  private void alive(Alive a) {
    String name = a.getNode();
    long inc = a.getIncarnation();
    if (name.equals(self.name)) {
      boolean ours = inc == self.incarnation && a.getAnnouncement().equals(ByteString.copyFrom(self.announcement));
      if (inc >= self.incarnation && !ours && !leaving) {
        log.debug("{} refuting a conflicting alive incarnation={}", self.name, inc);
        refute(inc, self.name);
      }
      return;
    }
    State s = members.get(name);
    boolean known = s != null && s.listed;
    if (!known && probeList.size() >= maxMembers && !evictDeparted()) {
      if (refused++ % 1000 == 0) {
        log.warn("{} member refused: {} members known (limit), none departed node={} refused_total={}", self.name,
            probeList.size(), name, refused);
      }
      return;
    }
    if (known && (inc < s.incarnation || (inc == s.incarnation && !s.unverified))) {
      return;
    }
    byte[] announcement = sharing.bytes(a.getAnnouncement().toByteArray());
    String address = sharing.string(a.getAddress());
    if (!known) {
      s = new State(sharing.string(name), address, announcement);
      insert(s); // puts it in members too
    }
    MemberStatus before = known ? s.status : MemberStatus.DEAD;
    boolean changed = known && !Arrays.equals(announcement, s.announcement);
    cancelSuspicion(s);
    s.address = address;
    s.announcement = announcement;
    s.incarnation = inc;
    s.unverified = false;
    setStatus(s, MemberStatus.ALIVE);
    if (!quietMerge) {
      SwimMessage m = sharing.message(SwimMessage.newBuilder().setAlive(a).build());
      broadcasts.add(s.name, m);
      if (joinNews != null) {
        joinNews.add(m);
      }
    }
    if (before == MemberStatus.DEAD || before == MemberStatus.LEFT) {
      log.debug("{} member joined node={} incarnation={}", self.name, name, inc);
      listener.onEvent(new MembershipEvent.Joined(s.snapshot()));
      return;
    }
    if (before == MemberStatus.SUSPECT) {
      listener.onEvent(new MembershipEvent.Refuted(s.snapshot()));
    }
    if (changed) {
      listener.onEvent(new MembershipEvent.Updated(s.snapshot()));
    }
  }

  private void suspect(String name, long inc, String from) {
    State s = members.get(name);
    if (s == null || inc < s.incarnation) {
      return;
    }
    if (s.status == MemberStatus.SUSPECT && s.suspicion != null) {
      if (inc == s.suspicion.incarnation() && s.suspicion.confirm(from)) {
        rescheduleSuspicion(s);
        broadcasts.add(s.name, suspectMessage(name, inc, from));
      }
      return;
    }
    if (s.status != MemberStatus.ALIVE) {
      return;
    }
    if (s == self) {
      if (!leaving) {
        log.debug("{} refuting suspicion incarnation={} from={}", self.name, inc, from);
        refute(inc, from);
      }
      return;
    }
    broadcasts.add(s.name, suspectMessage(name, inc, from));
    s.incarnation = inc;
    setStatus(s, MemberStatus.SUSPECT);
    int k = live - 2 < config.suspicionConfirmations() ? 0 : config.suspicionConfirmations();
    // Our own poor health (probes unanswered without nacks) stretches our verdicts too: a
    // member cut off from the rest must not declare the rest dead before it hears back.
    long min = awareness.scale(config.suspicionMinNanos(live));
    long max = (long) (min * config.suspicionMaxMult());
    s.suspicion = new Suspicion(inc, from, k, min, max, scheduler.nanoTime());
    rescheduleSuspicion(s);
    log.debug("{} member suspect node={} incarnation={} from={}", self.name, name, inc, from);
    listener.onEvent(new MembershipEvent.Suspected(s.snapshot()));
  }

  private void rescheduleSuspicion(State s) {
    cancel(s.suspicionTimer);
    Suspicion suspicion = s.suspicion;
    long delay = Math.max(0, suspicion.deadlineNanos() - scheduler.nanoTime());
    s.suspicionTimer = scheduler.schedule(delay, () -> {
      if (running && s.suspicion == suspicion && s.status == MemberStatus.SUSPECT) {
        dead(s.name, suspicion.incarnation(), self.name);
      }
    });
  }

  private void dead(String name, long inc, String from) {
    State s = members.get(name);
    if (s == null || inc < s.incarnation || s.status == MemberStatus.DEAD || s.status == MemberStatus.LEFT) {
      return;
    }
    if (s == self && !leaving) {
      log.debug("{} refuting death incarnation={} from={}", self.name, inc, from);
      refute(inc, from);
      return;
    }
    cancelSuspicion(s);
    broadcasts.add(s.name, SwimMessage.newBuilder().setDead(Dead.newBuilder().setNode(name).setIncarnation(inc)
        .setFrom(from)).build());
    s.incarnation = inc;
    boolean left = from.equals(name);
    setStatus(s, left ? MemberStatus.LEFT : MemberStatus.DEAD);
    if (s == self) {
      return;
    }
    log.debug("{} member {} node={} incarnation={} from={}", self.name, left ? "left" : "failed", name, inc, from);
    listener.onEvent(left ? new MembershipEvent.Left(s.snapshot()) : new MembershipEvent.Failed(s.snapshot()));
  }

  /**
   * Someone says we are suspect, dead or stale at {@code accused}: outbid it. The accuser, whose
   * timer runs first, also gets the answer directly rather than only by gossip, which may miss it.
   */
  private void refute(long accused, String accuser) {
    self.incarnation = Math.max(self.incarnation, accused) + 1;
    awareness.apply(1);
    SwimMessage alive = broadcastAlive(self);
    State a = members.get(accuser);
    if (a != null && a != self && a.live()) {
      send(a.address, alive);
    }
  }

  private SwimMessage broadcastAlive(State s) {
    SwimMessage m = aliveMessage(s);
    broadcasts.add(s.name, m);
    return m;
  }

  private static SwimMessage aliveMessage(State s) {
    return SwimMessage.newBuilder().setAlive(Alive.newBuilder().setNode(s.name).setAddress(s.address)
        .setIncarnation(s.incarnation).setAnnouncement(ByteString.copyFrom(s.announcement))).build();
  }

  // ---------------------------------------------------------------- helpers

  private void setStatus(State s, MemberStatus status) {
    boolean wasLive = s.live();
    boolean wasDead = s.status == MemberStatus.DEAD;
    s.status = status;
    s.changedNanos = scheduler.nanoTime();
    live += (s.live() ? 1 : 0) - (wasLive ? 1 : 0);
    deadCount += (status == MemberStatus.DEAD ? 1 : 0) - (wasDead ? 1 : 0);
    if (status == MemberStatus.DEAD && !wasDead) {
      deadMembers.add(s);
    } else if (wasDead && status != MemberStatus.DEAD) {
      deadMembers.remove(s);
    }
  }

  /** Forgets the dead or left member that changed state longest ago; false when all are live. */
  private boolean evictDeparted() {
    State oldest = null;
    for (State s : probeList) {
      if (s != self && !s.live() && (oldest == null || s.changedNanos < oldest.changedNanos)) {
        oldest = s;
      }
    }
    if (oldest == null) {
      return false;
    }
    int i = probeList.indexOf(oldest);
    probeList.remove(i);
    if (i < probeIndex) {
      probeIndex--;
    }
    members.remove(oldest.name);
    oldest.listed = false;
    cancelSuspicion(oldest);
    if (oldest.status == MemberStatus.DEAD) {
      deadCount--;
      deadMembers.remove(oldest);
    }
    return true;
  }

  /** Adds to the probe list at a random position, so newcomers are probed soon but not in join order. */
  private void insert(State s) {
    s.listed = true;
    members.put(s);
    probeList.add(s);
    int last = probeList.size() - 1;
    int j = random.nextInt(last + 1);
    probeList.set(last, probeList.get(j));
    probeList.set(j, s);
  }

  private void cancelSuspicion(State s) {
    cancel(s.suspicionTimer);
    s.suspicionTimer = null;
    s.suspicion = null;
  }

  /** Up to {@code k} distinct random members other than ourselves that pass {@code filter}. */
  private List<State> randomMembers(int k, Predicate<State> filter) {
    int n = probeList.size();
    List<State> out = new ArrayList<>(k);
    for (int tries = 0; tries < 3 * n && out.size() < k; tries++) {
      State s = probeList.get(random.nextInt(n));
      if (s != self && filter.test(s) && !out.contains(s)) {
        out.add(s);
      }
    }
    return out;
  }

  /** Sends one message plus as many piggybacked broadcasts as fit in a packet. */
  private void send(String address, SwimMessage first) {
    List<byte[]> more = List.of();
    if (config.piggyback()) {
      int budget = config.maxPacketBytes() - PACKET_OVERHEAD - first.getSerializedSize() - BroadcastQueue.PER_MESSAGE_OVERHEAD;
      more = broadcasts.takeEncoded(budget);
    }
    transport.sendDatagram(address, Packets.encode(first.toByteArray(), more));
  }

  private static SwimMessage ping(int seq, String target) {
    return SwimMessage.newBuilder().setPing(Ping.newBuilder().setSeq(seq).setTarget(target)).build();
  }

  private static SwimMessage suspectMessage(String name, long inc, String from) {
    return SwimMessage.newBuilder().setSuspect(Suspect.newBuilder().setNode(name).setIncarnation(inc).setFrom(from))
        .build();
  }

  private long jitter(long nanos) {
    return 1 + (long) (random.nextDouble() * nanos);
  }

  private static void cancel(Scheduler.Cancellable c) {
    if (c != null) {
      c.cancel();
    }
  }
}
