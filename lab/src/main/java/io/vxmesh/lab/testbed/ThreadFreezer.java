package io.vxmesh.lab.testbed;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import com.sun.jdi.connect.Connector;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Freezes ONE thread of an agent JVM, the way a thread wedged in the kernel or on a lock would
 * be stuck, while the rest of the process (gossip, API, metrics) keeps running: something
 * {@code kill -STOP} cannot do (it stops the whole process). The agent runs with a JDWP agent
 * on loopback in its host namespace ({@link #jdwpArgs}); a separate process in that namespace
 * attaches with JDI, suspends the named thread and holds it until it is killed; the JVM resumes
 * every thread when its debugger goes away.
 */
public final class ThreadFreezer implements AutoCloseable {
  private final Process process;

  private ThreadFreezer(Process process) {
    this.process = process;
  }

  /** JVM arguments that open a JDWP socket on {@code 127.0.0.1:port} without suspending the start. */
  public static String jdwpArg(int port) {
    return "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + port;
  }

  /**
   * Starts the freezer in {@code host}'s namespace against the JDWP port of its agent, and waits
   * until it reports the thread suspended (or throws with its output).
   */
  public static ThreadFreezer freeze(Host host, int jdwpPort, String thread) {
    String classpath = classpath();
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", host.ns(), AgentProcess.javaBinary(),
        "-cp", classpath, ThreadFreezer.class.getName(), "127.0.0.1", Integer.toString(jdwpPort), thread));
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the thread freezer: " + e.getMessage(), e);
    }
    ThreadFreezer f = new ThreadFreezer(p);
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    try {
      for (String line; (line = out.readLine()) != null; ) {
        seen.append(line).append('\n');
        if (line.startsWith("suspended ")) {
          return f;
        }
      }
    } catch (IOException e) {
      seen.append(e);
    }
    f.close();
    throw new IllegalStateException("thread freezer failed: " + seen);
  }

  public long pid() {
    return process.pid();
  }

  /** Kills the freezer by its PID; the agent's JVM resumes the thread as the debugger leaves. */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String classpath() {
    try {
      return new File(ThreadFreezer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code ThreadFreezer HOST PORT THREAD}: attach, suspend THREAD, hold until killed. */
  public static void main(String[] args) throws Exception {
    AttachingConnector socket = Bootstrap.virtualMachineManager().attachingConnectors().stream()
        .filter(c -> c.name().equals("com.sun.jdi.SocketAttach")).findFirst()
        .orElseThrow(() -> new IllegalStateException("no JDI socket connector"));
    Map<String, Connector.Argument> a = socket.defaultArguments();
    a.get("hostname").setValue(args[0]);
    a.get("port").setValue(args[1]);
    VirtualMachine vm = null;
    for (int attempt = 0; vm == null; attempt++) {
      try {
        vm = socket.attach(a);
      } catch (IOException e) {
        if (attempt >= 50) {
          throw e;
        }
        Thread.sleep(200); // the agent's JDWP socket is not listening yet
      }
    }
    ThreadReference target = vm.allThreads().stream().filter(t -> t.name().equals(args[2])).findFirst()
        .orElseThrow(() -> new IllegalStateException("no thread named " + args[2]));
    target.suspend();
    System.out.println("suspended " + args[2] + " suspend_count=" + target.suspendCount());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
