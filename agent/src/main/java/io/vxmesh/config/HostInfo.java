package io.vxmesh.config;

import io.vxmesh.net.IpPrefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What default resolution needs to know about this host. An interface so tests can describe a
 * host instead of depending on the machine they run on; {@link #system()} reads the real one.
 */
public interface HostInfo {
  /** The host name (UTS namespace), used as the default node name. */
  String hostName();

  /** The device of the default IPv4 route in this network namespace, if there is one. */
  Optional<String> defaultRouteDevice();

  /** Names of every network device in this network namespace: up or down, with or without addresses. */
  List<String> devices();

  /** Every IPv4 address of every device in this network namespace, loopback included. */
  List<Inet4Address> ipv4Addresses();

  /** IPv4 addresses of a device in configuration order; empty when the device is unknown. */
  List<Inet4Address> ipv4Addresses(String device);

  /** The device holding an address, if any. */
  Optional<String> deviceHolding(InetAddress address);

  /** The MTU of a device, if the device exists. */
  OptionalInt mtu(String device);

  /**
   * The IPv4 addresses of a device with their prefix lengths (e.g. {@code 10.211.55.5/24}): the
   * subnets the host reaches directly. Default: each address as a /32.
   */
  default List<IpPrefix> ipv4Subnets(String device) {
    return ipv4Addresses(device).stream().map(a -> new IpPrefix(a, 32)).toList();
  }

  /** The gateway of the lowest-metric default IPv4 route, if it has one. Default: none known. */
  default Optional<Inet4Address> defaultGateway() {
    return Optional.empty();
  }

  /** The host this JVM runs on, as seen from its own network namespace. */
  static HostInfo system() {
    return new SystemHostInfo();
  }
}
