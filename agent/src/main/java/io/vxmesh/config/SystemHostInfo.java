package io.vxmesh.config;

import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@link HostInfo} from the kernel: {@code /proc/sys/kernel/hostname} (the UTS namespace, no
 * DNS), {@code /proc/net/route}, {@code /proc/net/dev} and {@link NetworkInterface}. All but the
 * first describe the network namespace of this process, so an agent started with {@code ip netns
 * exec} sees the namespace's devices, not the root namespace's. (Not {@code /sys/class/net}: it
 * shows the namespace of whoever mounted sysfs. And not {@link NetworkInterface} for the device
 * list: on Linux it leaves out devices without an IPv4 or IPv6 address.)
 */
final class SystemHostInfo implements HostInfo {
  private static final int RTF_UP = 0x1;
  private static final int RTF_GATEWAY = 0x2;

  @Override
  public String hostName() {
    try {
      String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).strip();
      if (!h.isEmpty()) {
        return h;
      }
    } catch (IOException e) {
      // fall through to the environment
    }
    String env = System.getenv("HOSTNAME");
    return env == null || env.isBlank() ? "localhost" : env.strip();
  }

  @Override
  public Optional<String> defaultRouteDevice() {
    return defaultRouteDevice(procLines("/proc/net/route"));
  }

  @Override
  public List<IpPrefix> ipv4Subnets(String device) {
    try {
      NetworkInterface nif = NetworkInterface.getByName(device);
      if (nif == null) {
        return List.of();
      }
      List<IpPrefix> out = new ArrayList<>();
      for (InterfaceAddress a : nif.getInterfaceAddresses()) {
        if (a.getAddress() instanceof Inet4Address v4) {
          out.add(new IpPrefix(v4, a.getNetworkPrefixLength()));
        }
      }
      return out;
    } catch (SocketException e) {
      return List.of();
    }
  }

  /** The lines of a /proc file; none when it cannot be read (then there is nothing to learn from it). */
  private static List<String> procLines(String file) {
    try {
      return Files.readAllLines(Path.of(file), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return List.of();
    }
  }

  @Override
  public Optional<Inet4Address> defaultGateway() {
    return defaultRoute(procLines("/proc/net/route")).map(DefaultRoute::gateway);
  }

  /** The lowest-metric default route: its device and, when it has one, its gateway. */
  record DefaultRoute(String device, Inet4Address gateway) {}

  /** The device of the lowest-metric default route in {@code /proc/net/route} text. */
  static Optional<String> defaultRouteDevice(List<String> lines) {
    return defaultRoute(lines).map(DefaultRoute::device);
  }

  /**
   * The lowest-metric default route in {@code /proc/net/route} text (columns Iface, Destination,
   * Gateway, Flags, RefCnt, Use, Metric, Mask, ...; hex fields, addresses in host order, which
   * on the little-endian machines this runs on means the bytes of the address reversed).
   */
  static Optional<DefaultRoute> defaultRoute(List<String> lines) {
    DefaultRoute best = null;
    long bestMetric = Long.MAX_VALUE;
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 8 || f[0].equals("Iface")) {
        continue;
      }
      try {
        long dest = Long.parseLong(f[1], 16);
        long gw = Long.parseLong(f[2], 16);
        int flags = Integer.parseInt(f[3], 16);
        long metric = Long.parseLong(f[6]);
        long mask = Long.parseLong(f[7], 16);
        if (dest == 0 && mask == 0 && (flags & RTF_UP) != 0 && metric < bestMetric) {
          Inet4Address g = (flags & RTF_GATEWAY) != 0 && gw != 0 ? IpAddresses.v4(new byte[] {
              (byte) gw, (byte) (gw >> 8), (byte) (gw >> 16), (byte) (gw >> 24)}) : null;
          best = new DefaultRoute(f[0], g);
          bestMetric = metric;
        }
      } catch (NumberFormatException e) {
        // not a route line
      }
    }
    return Optional.ofNullable(best);
  }

  @Override
  public List<String> devices() {
    return devices(procLines("/proc/net/dev"));
  }

  /** Device names from {@code /proc/net/dev} text (two header lines, then {@code "  name: counters..."}). */
  static List<String> devices(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.contains("|")) {
        out.add(line.substring(0, colon).strip());
      }
    }
    return out;
  }

  @Override
  public List<Inet4Address> ipv4Addresses() {
    List<Inet4Address> out = new ArrayList<>();
    for (String device : devices()) {
      out.addAll(ipv4Addresses(device));
    }
    return out;
  }

  @Override
  public List<Inet4Address> ipv4Addresses(String device) {
    try {
      NetworkInterface nif = NetworkInterface.getByName(device);
      if (nif == null) {
        return List.of();
      }
      List<Inet4Address> out = new ArrayList<>();
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address v4) {
          out.add(v4);
        }
      }
      // NetworkInterface lists the most recently added address first; the kernel's primary
      // (first configured) address is the one an operator means by "the device's IP".
      Collections.reverse(out);
      return out;
    } catch (SocketException e) {
      return List.of();
    }
  }

  @Override
  public Optional<String> deviceHolding(InetAddress address) {
    try {
      NetworkInterface nif = NetworkInterface.getByInetAddress(address);
      return nif == null ? Optional.empty() : Optional.of(nif.getName());
    } catch (SocketException e) {
      return Optional.empty();
    }
  }

  @Override
  public OptionalInt mtu(String device) {
    try {
      NetworkInterface nif = NetworkInterface.getByName(device);
      return nif == null ? OptionalInt.empty() : OptionalInt.of(nif.getMTU());
    } catch (SocketException e) {
      return OptionalInt.empty();
    }
  }
}
