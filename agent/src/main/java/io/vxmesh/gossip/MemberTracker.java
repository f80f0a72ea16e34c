package io.vxmesh.gossip;

import io.vxmesh.net.HostPort;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what SWIM reports right now (who is listed, reachable, with which property) into
 * vxmesh's view, adding memory and time that SWIM lacks:
 * <ul>
 *   <li>SWIM suspects a member → SUSPECT (still programmable); suspected longer than
 *       failure timeout + probe timeout → FAILED, even if SWIM still lists it;
 *   <li>gone from SWIM after announcing RESTARTING → SUSPECT "restarting" for the restart grace,
 *       then FAILED; gone after LEAVING → LEAVING; otherwise gone → FAILED;
 *   <li>FAILED / departed members stay listed for the failed retention, then are forgotten;
 *       sooner, oldest departure first, when more than {@code maxMembers} are known (a key holder
 *       minting names must not grow this table for the whole retention);
 *   <li>only members that may still hold claims (present and not failed, or restarting within
 *       grace) take part in validation, so a dead host's pod CIDR frees up;
 *   <li>incumbency (docs/claims.md): a member this node accepted (programmable) is "held" with
 *       its networks as long as it may hold claims and announces the same networks; when a held
 *       member's claims become contested, this node lists it in its own announcement's
 *       {@link Announced#upheld()} ({@link #upheld()}), which is what makes it win everywhere.
 *       The own vote counts at once (the validator sees our own announcement with it), so a
 *       backdated newcomer never wins here, not even for one pass.
 * </ul>
 * Pure apart from logging: time comes in as an argument. Not thread-safe (one view thread).
 */
final class MemberTracker {
  private static final Logger log = LoggerFactory.getLogger(MemberTracker.class);

  /** One member as SWIM lists it now, and what our challenge to its address found. */
  record Observation(String name, HostPort address, String property, boolean reachable, HostProof proof) {
    /** A member whose address is proven. */
    Observation(String name, HostPort address, String property, boolean reachable) {
      this(name, address, property, reachable, HostProof.PROVEN);
    }
  }

  /** Most votes one announcement carries (~60 bytes each): contests are rare, so this is plenty. */
  static final int MAX_VOTES = 32;

  /** Rounds of "re-validate with our updated vote" per update; one normally suffices. */
  private static final int MAX_VOTE_ROUNDS = 3;

  private static final class Known {
    HostPort address;
    String property;
    AnnouncementCodec.Decoded decoded; // of property: decoded once per value
    Announced lastVerified; // the last property that verified and decoded
    boolean present;
    boolean reachable;
    long suspectSinceMs;
    long goneSinceMs;
    long failedSinceMs;
    long lastReachableMs; // last update() that saw it reachable; first listing if never
    String countedBadProperty;
    MemberStatus lastStatus;
    HostProof proof = HostProof.PENDING;
    String held; // Validator.vote of the claims we accepted; null when not held
  }

  private final String selfName;
  private final AnnouncementCodec codec;
  private final Validator validator;
  private final GossipSettings.GossipTimers timers;
  private final int maxMembers;
  private final Map<String, Known> known = new HashMap<>();
  private final Map<String, Long> forced = new HashMap<>(); // force-left: name -> when; ignored while unreachable
  private List<Validator.Candidate> lastInput = List.of();
  private SortedMap<String, Validator.Verdict> lastVerdicts = new TreeMap<>();
  /** Full validations run so far (tests: what a view change costs). */
  private long validations;
  private volatile long rejectedAnnouncements;
  private final Map<String, java.util.concurrent.atomic.LongAdder> rejectedByReason = new java.util.concurrent.ConcurrentHashMap<>();
  private long forgottenEarly;
  private List<String> upheld = List.of();
  private final Map<String, String> rememberedVotes = new HashMap<>(); // name -> vote, from the last run
  private long rememberUntilMs;
  private boolean protocolDecidesFailure;

  MemberTracker(String selfName, AnnouncementCodec codec, Validator validator, GossipSettings.GossipTimers timers) {
    this(selfName, codec, validator, timers, GossipSettings.DEFAULT_MAX_MEMBERS);
  }

  MemberTracker(String selfName, AnnouncementCodec codec, Validator validator, GossipSettings.GossipTimers timers,
      int maxMembers) {
    this.maxMembers = maxMembers;
    this.selfName = selfName;
    this.codec = codec;
    this.validator = validator;
    this.timers = timers;
  }

  /**
   * Votes this node cast before it restarted ({@link Announced#upheld()} of its last run): a
   * member listed here that shows up with exactly those claims before {@code untilMs} is held
   * again at once, so a restarted witness keeps vouching for an owner even where no other
   * witness is left to follow (a three-host mesh).
   */
  void rememberVotes(Collection<String> votes, long untilMs) {
    for (String v : votes) {
      int sp = v.indexOf(' ');
      if (sp > 0) {
        rememberedVotes.put(v.substring(0, sp), v);
      }
    }
    rememberUntilMs = untilMs;
  }

  /**
   * The membership protocol's own suspicion is trusted (vxmesh's Lifeguard): a suspect stays
   * SUSPECT (programmable) until the protocol declares it dead, instead of FAILED after
   * failure timeout + probe timeout, which was a workaround for Atomix's SWIM.
   */
  void trustProtocolSuspicion() {
    protocolDecidesFailure = true;
  }

  /** The votes we cast (sorted, {@link Validator#vote}): held by us and contested. Our announcement carries them. */
  List<String> upheld() {
    return upheld;
  }

  /** Announcements seen that failed to decode or verify (each distinct value once). */
  long rejectedAnnouncements() {
    return rejectedAnnouncements;
  }

  /** {@link #rejectedAnnouncements()} by {@link #reasonLabel reason}. */
  Map<String, Long> rejectedAnnouncementsByReason() {
    Map<String, Long> m = new TreeMap<>();
    rejectedByReason.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /**
   * A short, fixed label for {@link AnnouncementCodec.Decoded#problem()} (free text that may name
   * values): the {@code reason} label of {@code vxmesh_announcements_rejected_total}, so the set
   * of series stays small whatever arrives.
   */
  static String reasonLabel(String problem) {
    String p = problem == null ? "" : problem;
    if (p.startsWith("no announcement")) {
      return "missing";
    }
    if (p.contains("too large")) {
      return "too_large";
    }
    if (p.contains("unsigned")) {
      return "unsigned";
    }
    if (p.contains("signature invalid")) {
      return "bad_signature";
    }
    return "malformed";
  }

  /** The members sorted by name, self included, given SWIM's current list ({@code others} excludes self). */
  List<MemberState> update(Observation self, Collection<Observation> others, long now) {
    Map<String, Observation> seen = new HashMap<>();
    forced.values().removeIf(at -> now - at > timers.failedRetention().toMillis());
    for (Observation o : others) {
      if (o.name().equals(selfName)) {
        continue;
      }
      if (forced.containsKey(o.name())) {
        if (!o.reachable()) {
          continue; // force-left and still dead: stays forgotten
        }
        forced.remove(o.name());
        log.info("member back after force-leave node={}", o.name());
      }
      seen.put(o.name(), o);
    }
    seen.put(selfName, new Observation(selfName, self.address(), self.property(), true, HostProof.PROVEN));
    for (Observation o : seen.values()) {
      Known k = known.computeIfAbsent(o.name(), n -> new Known());
      String remembered = rememberedVotes.remove(o.name());
      if (remembered != null && now <= rememberUntilMs && k.held == null) {
        k.held = remembered; // counts only while its claims are exactly these (see vote())
      }
      k.address = o.address();
      if (k.decoded == null || !java.util.Objects.equals(k.property, o.property())) {
        k.property = o.property();
        k.decoded = codec.open(o.property());
        k.decoded.announcement().ifPresent(a -> k.lastVerified = a);
      }
      k.proof = o.proof() == null ? HostProof.PENDING : o.proof();
      k.present = true;
      k.goneSinceMs = 0;
      k.reachable = o.reachable();
      if (k.reachable || k.lastReachableMs == 0) {
        k.lastReachableMs = now;
      }
      if (k.reachable) {
        k.suspectSinceMs = 0;
      } else if (k.suspectSinceMs == 0) {
        k.suspectSinceMs = now;
      }
    }
    for (Map.Entry<String, Known> e : known.entrySet()) {
      if (!seen.containsKey(e.getKey()) && e.getValue().present) {
        e.getValue().present = false;
        e.getValue().goneSinceMs = now;
      }
    }
    forgetOldestDeparted();

    List<Validator.Candidate> input = new ArrayList<>();
    Map<String, String> failedReason = new HashMap<>();
    for (Map.Entry<String, Known> e : known.entrySet()) {
      String reason = failure(e.getKey(), e.getValue(), now);
      if (reason == null) {
        input.add(new Validator.Candidate(e.getKey(), e.getValue().address.host(), e.getValue().decoded, e.getValue().proof));
      } else {
        failedReason.put(e.getKey(), reason);
        e.getValue().held = null; // a dead member's claims are free again
      }
    }
    input.sort(Comparator.comparing(Validator.Candidate::name));
    if (!input.equals(lastInput)) {
      lastInput = List.copyOf(input);
      lastVerdicts = validateWithOurVote(input);
      if (hold(lastVerdicts)) {
        lastVerdicts = validateWithOurVote(input); // newly held members may need our vote at once
      }
      lastVerdicts = protectOwnClaims(lastVerdicts);
    }

    List<MemberState> members = new ArrayList<>();
    List<String> forget = new ArrayList<>();
    for (Map.Entry<String, Known> e : new TreeMap<>(known).entrySet()) {
      String name = e.getKey();
      Known k = e.getValue();
      boolean isSelf = name.equals(selfName);
      HostPort address = k.address;
      MemberState st;
      if (failedReason.containsKey(name)) {
        if (k.failedSinceMs == 0) {
          k.failedSinceMs = now;
        } else if (now - k.failedSinceMs > timers.failedRetention().toMillis()) {
          log.info("member reaped node={} failed_for_s={}", name, (now - k.failedSinceMs) / 1000);
          forget.add(name);
          continue;
        }
        boolean left = k.lastVerified != null && k.lastVerified.state() == Announced.State.LEAVING;
        st = new MemberState(name, address, left ? MemberStatus.LEAVING : MemberStatus.FAILED, k.lastVerified,
            left ? "left" : failedReason.get(name), isSelf, k.lastReachableMs);
      } else {
        k.failedSinceMs = 0;
        Validator.Verdict v = lastVerdicts.get(name);
        MemberStatus status = v.status();
        String reason = v.reason();
        if (k.present && !k.reachable && status == MemberStatus.ALIVE) {
          status = MemberStatus.SUSPECT;
          reason = "unreachable";
        }
        countRejected(k, v);
        st = new MemberState(name, address, status, v.announcement(), reason, isSelf,
            isSelf || (k.present && k.reachable) ? 0 : k.lastReachableMs);
      }
      if (st.status() != k.lastStatus) {
        statusChanged(name, st, isSelf);
        k.lastStatus = st.status();
      }
      members.add(st);
    }
    forget.forEach(known::remove);
    return members;
  }

  /** How many full validations (each over every member) the tracker has run. */
  long validations() {
    return validations;
  }

  /**
   * The keyring changed: every property is opened again at the next {@link #update}, so a peer
   * still signing with a key that was removed becomes UNTRUSTED instead of living on in the cache.
   */
  void reverify() {
    known.values().forEach(k -> k.decoded = null);
  }

  /**
   * Per key fingerprint, how many other members SWIM lists now signed their current
   * announcement with it; key "" counts those whose announcement verifies under no key we hold.
   * Tells an operator when an old key is no longer in use and can be removed.
   */
  Map<String, Integer> signers() {
    Map<String, Integer> m = new TreeMap<>();
    known.forEach((name, k) -> {
      if (k.present && !name.equals(selfName) && k.decoded != null) {
        m.merge(k.decoded.signer(), 1, Integer::sum);
      }
    });
    return m;
  }

  /**
   * Keeps the table at {@code maxMembers}: members gone from SWIM are forgotten, the longest gone
   * first, until it fits (present members are never dropped here: SWIM's own table is bounded by
   * {@link MemberAdmission}). One line per pass that forgot any.
   */
  private void forgetOldestDeparted() {
    int excess = known.size() - maxMembers;
    if (excess <= 0) {
      return;
    }
    List<Map.Entry<String, Known>> gone = new ArrayList<>();
    for (Map.Entry<String, Known> e : known.entrySet()) {
      if (!e.getValue().present && !e.getKey().equals(selfName)) {
        gone.add(e);
      }
    }
    gone.sort(Comparator.comparingLong(e -> e.getValue().goneSinceMs));
    List<String> forget = gone.subList(0, Math.min(excess, gone.size())).stream().map(Map.Entry::getKey).toList();
    forget.forEach(known::remove);
    if (!forget.isEmpty()) {
      forgottenEarly += forget.size();
      lastInput = null; // revalidate without them
      log.warn("members forgotten before the retention ends count={} reason={} max_members={} total={}", forget.size(),
          "member table full", maxMembers, forgottenEarly);
    }
  }

  /**
   * Validates with our own announcement carrying the vote this node would cast given the verdicts
   * (held members that are contested), repeated until the vote is stable: our vote must count in
   * the very pass where a contender appears, or the contender would win here for a moment.
   */
  private SortedMap<String, Validator.Verdict> validateWithOurVote(List<Validator.Candidate> input) {
    validations++;
    SortedMap<String, Validator.Verdict> verdicts = validator.validate(input);
    for (int round = 0; round < MAX_VOTE_ROUNDS; round++) {
      List<String> vote = vote(verdicts);
      int self = -1;
      for (int i = 0; i < input.size(); i++) {
        if (input.get(i).name().equals(selfName)) {
          self = i;
        }
      }
      upheld = vote;
      if (self < 0 || !input.get(self).decoded().verified()) {
        return verdicts;
      }
      Validator.Candidate me = input.get(self);
      Announced mine = me.decoded().announcement().get();
      if (mine.upheld().equals(vote)) {
        return verdicts;
      }
      List<Validator.Candidate> next = new ArrayList<>(input);
      next.set(self, new Validator.Candidate(me.name(), me.gossipHost(), AnnouncementCodec.Decoded.ok(mine.withUpheld(vote)),
          me.proof()));
      input = next;
      validations++;
      verdicts = validator.validate(input);
    }
    return verdicts;
  }

  /** The votes we cast given {@code verdicts}: the current claims of held members that are contested. */
  private List<String> vote(SortedMap<String, Validator.Verdict> verdicts) {
    List<String> out = new ArrayList<>();
    for (Validator.Verdict v : verdicts.values()) {
      Known k = known.get(v.name());
      if (v.contested() && !v.name().equals(selfName) && k != null && k.held != null
          && k.held.equals(Validator.vote(v.announcement()))) {
        out.add(k.held);
      }
    }
    // Bounded so our announcement stays far below AnnouncementCodec.MAX_PROPERTY_CHARS.
    return new java.util.TreeSet<>(out).stream().limit(MAX_VOTES).toList();
  }

  /**
   * Holds the claims of members we accept now (uncontested, or upheld by others); releases a
   * member whose claims are no longer the held ones. A held member that loses a vote stays held: our vote does not follow the outcome,
   * so the outcome cannot flap. True when a contested member became held: only then can our vote
   * change. {@link #vote} counts held claims of contested members only, and which members are
   * contested is a function of the input's claims alone (not of our vote), so a newly held
   * uncontested member leaves every round of {@link #validateWithOurVote} as it was: validating
   * again would repeat the same work for the same verdicts (it was a second full validation for
   * every member that turned alive, on every peer, at every join).
   */
  private boolean hold(SortedMap<String, Validator.Verdict> verdicts) {
    boolean added = false;
    Validator.Verdict self = verdicts.get(selfName);
    Announced mine = self == null ? null : self.announcement();
    for (Validator.Verdict v : verdicts.values()) {
      Known k = known.get(v.name());
      if (k == null || v.name().equals(selfName) || v.announcement() == null) {
        continue;
      }
      String claims = Validator.vote(v.announcement());
      // Whatever the verdicts say: also while we lost one claim elsewhere, a member colliding
      // with another of ours is a contender, never held (else we would vote against ourselves).
      boolean againstUs = mine != null && collide(v.announcement(), mine);
      // Hold what we accept uncontested, or what other members uphold; never a member that won
      // a contest by its own claim time alone (two newcomers must not vouch for each other).
      boolean byWitnesses = !v.contested() || v.witnesses() > 0;
      if (v.status().programmable() && byWitnesses && !againstUs && !collidesWithUnproven(v, verdicts)) {
        added |= v.contested() && !claims.equals(k.held);
        k.held = claims;
      } else if (k.held != null && !k.held.equals(claims)) {
        k.held = null;
      }
    }
    return added;
  }

  /**
   * A member accepted while a colliding member is still unproven only won because that one could
   * not compete yet (a node that just joined proves members one by one): not held, no vote.
   */
  private static boolean collidesWithUnproven(Validator.Verdict v, SortedMap<String, Validator.Verdict> verdicts) {
    for (Validator.Verdict u : verdicts.values()) {
      if (u.status() == MemberStatus.UNPROVEN && u.announcement() != null && collide(v.announcement(), u.announcement())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Local safety on top of the verdicts: a member whose claims collide with this node's own is
   * not programmed here (a route for our own pod CIDR, a neighbour for our own VTEP IP) unless
   * other members uphold it — so a newcomer that wins only by its (backdatable) claim time is
   * never programmed by the owner, not even before the witnesses' votes arrive, while a claim the
   * mesh upholds is followed here too. Changes only such members' verdicts.
   */
  private SortedMap<String, Validator.Verdict> protectOwnClaims(SortedMap<String, Validator.Verdict> verdicts) {
    Validator.Verdict self = verdicts.get(selfName);
    if (self == null || self.announcement() == null || self.status() == MemberStatus.LEAVING) {
      return verdicts;
    }
    SortedMap<String, Validator.Verdict> out = null;
    for (Validator.Verdict v : verdicts.values()) {
      if (v.status().programmable() && v.witnesses() == 0 && !v.name().equals(selfName)
          && collide(v.announcement(), self.announcement())) {
        if (out == null) {
          out = new TreeMap<>(verdicts);
        }
        out.put(v.name(), new Validator.Verdict(v.name(), MemberStatus.CONFLICT, "claims collide with this node's own ("
            + selfName + ") and no member upholds them", v.announcement(), true, 0));
      }
    }
    return out == null ? verdicts : out;
  }

  /**
   * True when {@code a} claims a VTEP MAC or IP (same VNI) or a pod CIDR overlapping one of
   * {@code b}'s: a node never holds a contender of its own claims (it cannot vote for itself, so
   * it must not vote against itself either; the witnesses decide).
   */
  static boolean collide(Announced a, Announced b) {
    for (Announced.Network x : a.networks()) {
      for (Announced.Network y : b.networks()) {
        boolean sameVni = x.vni() == y.vni();
        if (sameVni && (x.vtepMac().equals(y.vtepMac()) || x.vtepIp().address().equals(y.vtepIp().address()))
            || x.podCidr().overlaps(y.podCidr())) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * {@code vxmesh force-leave}: forgets {@code name} now if it is FAILED or LEAVING (with
   * {@code prune}, also if it is unreachable but not yet failed). Refuses self, unknown names and
   * members SWIM reports reachable: those would be listed again at the next refresh. The name is
   * ignored while unreachable until it answers again (or the reap time passes).
   */
  Membership.ForceLeave forceLeave(String name, boolean prune, long now) {
    Known k = known.get(name);
    if (name.equals(selfName)) {
      return new Membership.ForceLeave(false, name + " is this agent; use `vxmesh leave` to leave the mesh");
    }
    if (k == null) {
      return new Membership.ForceLeave(false, "no member named " + name + " (`vxmesh members` lists them)");
    }
    String status = k.lastStatus == null ? "unknown" : k.lastStatus.label();
    boolean dead = k.lastStatus == MemberStatus.FAILED || k.lastStatus == MemberStatus.LEAVING;
    if (!dead && k.present && k.reachable) {
      return new Membership.ForceLeave(false, name + " is " + status + " and reachable: its agent is still running and"
          + " would be listed again at once, --prune or not; run `vxmesh leave` on it or stop its agent first");
    }
    if (!dead && !prune) {
      return new Membership.ForceLeave(false, name + " is " + status + " but not yet declared failed and may come back;"
          + " add --prune to forget it now anyway");
    }
    known.remove(name);
    forced.put(name, now);
    lastInput = null; // revalidate without it: its pod CIDR claims are released
    log.warn("member force-left node={} status={} prune={}", name, status, prune);
    return new Membership.ForceLeave(true, "forgot " + name + " (was " + status + ") in this agent's view;"
        + " it is listed again if it becomes reachable");
  }

  /**
   * One line per status change: WARN when a member fails or is untrusted or in conflict (an
   * operator should look), INFO otherwise (alive, suspect, leaving).
   */
  private void statusChanged(String name, MemberState st, boolean isSelf) {
    boolean bad = st.status() == MemberStatus.FAILED || st.status() == MemberStatus.CONFLICT || st.status() == MemberStatus.UNTRUSTED;
    // seen_by: which agent's view (one per process in production; many in one JVM in tests).
    (bad ? log.atWarn() : log.atInfo()).log("member status node={} status={} reason={} self={} seen_by={}", name,
        st.status().label(), st.reason(), isSelf, selfName);
  }

  /** Null when the member may still hold claims, else why it is FAILED (or gone after LEAVING). */
  private String failure(String name, Known k, long now) {
    if (name.equals(selfName)) {
      return null;
    }
    if (k.present) {
      // SWIM suspects it; once that outlasts SWIM's own failure timeout plus one probe, we call it.
      long limit = timers.failureTimeout().toMillis() + timers.probeTimeout().toMillis();
      if (!protocolDecidesFailure && !k.reachable && now - k.suspectSinceMs > limit) {
        return "unreachable for " + (now - k.suspectSinceMs) + " ms";
      }
      return null;
    }
    boolean restarting = k.lastVerified != null && k.lastVerified.state() == Announced.State.RESTARTING;
    if (restarting && now - k.goneSinceMs <= timers.restartGrace().toMillis()) {
      return null;
    }
    return restarting ? "restart grace expired" : "failed (no longer reachable)";
  }

  private void countRejected(Known k, Validator.Verdict v) {
    if (v.status() == MemberStatus.UNTRUSTED && v.announcement() == null && k.property != null
        && !k.property.equals(k.countedBadProperty)) {
      k.countedBadProperty = k.property;
      rejectedAnnouncements++;
      rejectedByReason.computeIfAbsent(reasonLabel(v.reason()), r -> new java.util.concurrent.atomic.LongAdder()).increment();
      log.warn("member announcement rejected node={} reason={}", v.name(), v.reason());
    }
  }
}
