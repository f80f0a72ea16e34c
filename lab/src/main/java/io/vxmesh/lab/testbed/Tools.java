package io.vxmesh.lab.testbed;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The external commands the testbed, the demo and the benchmarks run, checked up front. Without
 * the check a missing {@code ping} shows up much later as "FAIL 0/0" in every ping cell with no
 * cause; with it the run stops at once with one line naming every missing command and the
 * Debian package that has it.
 *
 * <p>The lookup is over the directories of a PATH value given to the constructor (the
 * environment's for {@link #onPath()}), so tests can describe a machine without the tools.
 */
public final class Tools {
  /**
   * A command we exec, and the Debian package that installs it.
   *
   * @param directory where it must be (CNI plugins live in /usr/lib/cni, not on PATH), or null
   *     to look it up on PATH
   */
  public record Tool(String command, String debianPackage, Path directory) {
    public Tool(String command, String debianPackage) {
      this(command, debianPackage, null);
    }

    /** The command as the missing-tools line names it: the file for a tool outside PATH. */
    String shown() {
      return directory == null ? command : directory.resolve(command).toString();
    }
  }

  public static final Tool IP = new Tool("ip", "iproute2");
  public static final Tool BRIDGE = new Tool("bridge", "iproute2");
  public static final Tool PING = new Tool("ping", "iputils-ping");
  public static final Tool SYSCTL = new Tool("sysctl", "procps");
  public static final Tool KILL = new Tool("kill", "procps");
  public static final Tool SS = new Tool("ss", "iproute2");
  public static final Tool IPERF3 = new Tool("iperf3", "iperf3");
  /** The CPU hog of {@code bench lifeguard}. */
  public static final Tool STRESS_NG = new Tool("stress-ng", "stress-ng");

  /**
   * What {@link Testbed} and {@code vxmesh-lab demo} exec: ip and bridge (namespaces, devices, kernel
   * tables), ping (reachability), sysctl (forwarding in each host), kill (freeze/thaw, sweep).
   */
  public static final List<Tool> TESTBED = List.of(IP, BRIDGE, PING, SYSCTL, KILL);

  /**
   * Where the reference CNI plugins are: the first directory of {@code $CNI_PATH} as runtimes
   * read it, else where Debian's containernetworking-plugins installs them (/usr/lib/cni).
   */
  public static final Path CNI_PATH = cniPath(System.getenv("CNI_PATH"));

  /** The reference CNI plugins {@code vxmesh-lab demo} makes its pods with ({@link CniPods}). */
  public static final List<Tool> CNI_PLUGINS = List.of(
      new Tool("bridge", "containernetworking-plugins", CNI_PATH),
      new Tool("host-local", "containernetworking-plugins", CNI_PATH));

  static Path cniPath(String env) {
    return env == null || env.isBlank() ? Path.of("/usr/lib/cni") : Path.of(env.split(File.pathSeparator)[0]);
  }

  /** Where execvp looks when PATH is unset (glibc's default). */
  private static final String DEFAULT_PATH = "/bin:/usr/bin";

  private final List<Path> directories;

  /** Looks tools up in the directories of {@code pathVariable} (a PATH value; null: the default). */
  public Tools(String pathVariable) {
    String value = pathVariable == null ? DEFAULT_PATH : pathVariable;
    this.directories = Arrays.stream(value.split(File.pathSeparator, -1))
        .map(d -> Path.of(d.isEmpty() ? "." : d)) // an empty PATH entry is the working directory
        .toList();
  }

  /** Tools looked up on this process's PATH (which the commands we start inherit). */
  public static Tools onPath() {
    return new Tools(System.getenv("PATH"));
  }

  /** The tools of {@code wanted} that no PATH directory holds as an executable file, in order. */
  public List<Tool> missing(Collection<Tool> wanted) {
    return wanted.stream().filter(t -> (t.directory() == null ? directories : List.of(t.directory())).stream()
        .map(d -> d.resolve(t.command())).noneMatch(p -> Files.isRegularFile(p) && Files.isExecutable(p))).toList();
  }

  /**
   * Throws unless every tool of {@code wanted} is there; the message is one line,
   * {@code missing tools: ping, sysctl (apt-get install iputils-ping procps)}.
   */
  public void require(Collection<Tool> wanted) {
    List<Tool> missing = missing(wanted);
    if (!missing.isEmpty()) {
      throw new MissingToolsException(describe(missing));
    }
  }

  /** "missing tools: ping, sysctl (apt-get install iputils-ping procps)". */
  static String describe(List<Tool> missing) {
    Set<String> packages = new LinkedHashSet<>();
    missing.forEach(t -> packages.add(t.debianPackage()));
    return "missing tools: " + String.join(", ", missing.stream().map(Tool::shown).toList())
        + " (apt-get install " + String.join(" ", packages) + ")";
  }

  /** Commands this run needs are not installed; the message says which and how to get them. */
  public static final class MissingToolsException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    MissingToolsException(String message) {
      super(message);
    }
  }
}
