package io.vxmesh.lab.testbed;

/**
 * Stands in for the agent in {@link AgentProcessTest}: started as {@code java -cp test-classes
 * FakeAgent -jar vxmesh.jar agent --config FILE}, it prints its arguments and sleeps until killed.
 */
public final class FakeAgent {
  private FakeAgent() {}

  public static void main(String[] args) throws InterruptedException {
    System.out.println("fake agent up args=" + String.join(" ", args));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("fake agent stopping")));
    Thread.sleep(Long.MAX_VALUE);
  }
}
