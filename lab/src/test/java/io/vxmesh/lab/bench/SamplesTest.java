package io.vxmesh.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Unmeasured samples (timeouts, levels never reached) stay out of percentiles and fail goals. */
class SamplesTest {
  @Test
  void timeoutsAreCountedAndLeftOutOfPercentiles() {
    Samples s = new Samples().add(300).add(-1).add(100).add(Double.NaN).add(200);
    assertEquals(List.of(300.0, 100.0, 200.0), s.measured());
    assertEquals(2, s.unmeasured());
    assertEquals(5, s.count());
    // With the two -1/NaN inside, p0 would be -1 and p50 would be 100.
    assertEquals(100.0, s.percentile(0));
    assertEquals(200.0, s.percentile(50));
    assertEquals(300.0, s.percentile(100));
  }

  @Test
  void nothingMeasuredGivesNaNNotAFastSample() {
    Samples s = new Samples().add(-1).add(-1);
    assertTrue(Double.isNaN(s.percentile(50)));
    assertEquals("n/a", BenchSupport.ms(s.percentile(50)));
  }

  @Test
  void aGoalWithATimedOutRepeatIsMissedEvenWhenTheOthersAreFast() {
    assertTrue(new Samples().add(90).add(95).allWithin(500));
    assertEquals("yes", new Samples().add(90).add(95).verdict(500));
    Samples withTimeout = new Samples().add(90).add(-1).add(95);
    assertFalse(withTimeout.allWithin(500));
    assertEquals("no", withTimeout.verdict(500));
    assertFalse(new Samples().add(90).add(501).allWithin(500), "the slowest sample counts, not the median");
    assertFalse(new Samples().allWithin(500), "no sample at all is not a goal met");
  }

  @Test
  void repeatsARunNeverReachedCountAsUnmeasured() {
    Samples s = new Samples().add(10).add(-1).expect(5);
    assertEquals(5, s.count());
    assertEquals(4, s.unmeasured());
    assertEquals(6, new Samples().add(1).add(2).add(3).add(4).add(5).add(6).expect(5).count(), "never removes samples");
    assertThrows(IllegalArgumentException.class, () -> new Samples().addUnmeasured(-1));
  }

  @Test
  void ratiosOfUnmeasuredValuesAreNotANumber() {
    assertEquals("3.50x", BenchSupport.ratio(350, 100));
    assertEquals("n/a", BenchSupport.ratio(Double.NaN, 100));
    assertEquals("n/a", BenchSupport.ratio(350, Double.NaN));
    assertEquals("n/a", BenchSupport.ratio(350, 0));
  }

  @Test
  void loadAverageIsParsedFromProcLoadavg() {
    LoadAverage l = LoadAverage.parse("3.08 5.31 5.08 2/345 6789\n");
    assertEquals(3.08, l.one());
    assertEquals(5.08, l.fifteen());
    assertEquals("3.08 5.31 5.08", l.toString());
    assertThrows(IllegalArgumentException.class, () -> LoadAverage.parse("3.08"));
  }
}
