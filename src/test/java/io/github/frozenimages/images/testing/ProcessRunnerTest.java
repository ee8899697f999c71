package io.github.frozenimages.images.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ProcessRunnerTest {

    @Test
    void capturesOutputAndExitCode() {
        ProcessRunner.Result result = ProcessRunner.run(Duration.ofSeconds(10), Map.of("GREETING", "hi"),
                List.of("/bin/sh", "-c", "echo $GREETING; echo oops >&2; exit 3"));
        assertEquals(3, result.exitCode());
        assertEquals("hi\n", result.stdout());
        assertEquals("oops\n", result.stderr());
    }

    @Test
    void aFailureCarriesTheOutput() {
        AssertionError failure = assertThrows(AssertionError.class, () -> ProcessRunner.runSuccessfully(
                Duration.ofSeconds(10), Map.of(), List.of("/bin/sh", "-c", "echo to-out; echo to-err >&2; exit 1")));
        assertTrue(failure.getMessage().contains("exited with 1"), failure::getMessage);
        assertTrue(failure.getMessage().contains("to-out"), failure::getMessage);
        assertTrue(failure.getMessage().contains("to-err"), failure::getMessage);
    }

    @Test
    void aHangingProgramIsKilledAtTheTimeout() {
        long start = System.nanoTime();
        AssertionError failure = assertThrows(AssertionError.class, () -> ProcessRunner.run(
                Duration.ofSeconds(1), Map.of(), List.of("/bin/sh", "-c", "echo started; sleep 60")));
        assertTrue(failure.getMessage().contains("did not finish within 1 s"), failure::getMessage);
        assertTrue(failure.getMessage().contains("started"), failure::getMessage);
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10);
    }
}
