package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ncclffm.harness.protocol.RankEnding;
import io.ncclffm.harness.protocol.WorkerEvent;

/** srun's labelled output, as the Slurm launcher reads it back into each rank. */
class SlurmStepTest {

    private record Handle(int rank) implements RankHandle {
        @Override
        public void signal(String signal) {
        }

        @Override
        public String id() {
            return "t" + rank;
        }
    }

    private static void feed(LineSplitter s, String text) {
        s.accept(text.getBytes(StandardCharsets.UTF_8));
        s.finish();
    }

    @Test
    void srunRunByAWrapper_underAnotherName_stillEndsTheTaskWithItsExitCode() {
        // A GPU host's kit (and many sites) run the real srun from a wrapper: it then calls itself srun.real.
        List<RankOutput> ranks = List.of(new RankOutput(0), new RankOutput(1));
        SlurmStep step = new SlurmStep(ranks, List.of(new Handle(0), new Handle(1)), RankObserver.NONE);
        feed(step.stderr(), "0: NCCL WARN something\nsrun.real: error: vm: task 0: Exited with exit code 1\n"
                + "/opt/slurm/bin/srun: error: vm: task 1: Exited with exit code 2\n");
        step.stepEnded();
        assertEquals(1, ranks.get(0).ending().exitCode(), ranks.get(0).ending().toString());
        assertEquals(2, ranks.get(1).ending().exitCode(), ranks.get(1).ending().toString());
    }

    @Test
    void labelledPieces_goToTheirRank_joined_andSrunsWordsEndTheTasksItNames() {
        List<RankOutput> ranks = List.of(new RankOutput(0), new RankOutput(1), new RankOutput(2));
        SlurmStep step = new SlurmStep(ranks, List.of(new Handle(0), new Handle(1), new Handle(2)), RankObserver.NONE);
        String hello = "{\"event\":\"hello\",\"rank\":1,\"world\":3,\"pid\":7,\"host\":\"c2\",\"javaVersion\":\"25\",\"environment\":{}}";
        feed(step.stdout(), " 1: +" + hello.substring(0, 20) + "\n 0: not an event before hello\n 1: " + hello.substring(20) + "\n");
        feed(step.stderr(), " 2: NCCL WARN something\nsrun: error: c2: tasks 1-2: Killed\nsrun: error: c1: task 0: Exited with exit code 3\n");
        assertEquals(1, ranks.get(1).events().size());
        assertTrue(ranks.get(1).events().getFirst() instanceof WorkerEvent.Hello h && h.host().equals("c2"));
        assertTrue(ranks.get(0).log().contains("[stdout] not an event before hello"), ranks.get(0).log());
        assertTrue(ranks.get(2).log().contains("NCCL WARN something"));
        assertTrue(ranks.get(2).log().contains("[srun] srun: error: c2: tasks 1-2: Killed"), "srun's words reach every rank's log");
        assertEquals(RankEnding.Kind.SIGNALLED, ranks.get(1).ending().kind());
        assertEquals(137, ranks.get(2).ending().exitCode());
        assertEquals(3, ranks.get(0).ending().exitCode());
        assertEquals(List.of(), ranks.get(1).streamProblems());
    }

    @Test
    void aTaskSrunSaysNothingOf_exitedZero_onceTheStepHasEnded_andOneThatNeverWroteNeverStarted() {
        List<RankOutput> ranks = List.of(new RankOutput(0), new RankOutput(1));
        SlurmStep step = new SlurmStep(ranks, List.of(new Handle(0), new Handle(1)), RankObserver.NONE);
        feed(step.stderr(), "0: starting\nsrun: error: Unable to create step for job 7: Invalid generic resource specification\n");
        assertEquals(RankEnding.RUNNING, ranks.get(0).ending());
        step.stepEnded();
        assertEquals(0, ranks.get(0).ending().exitCode());
        assertEquals(RankEnding.Kind.NOT_STARTED, ranks.get(1).ending().kind());
        assertTrue(ranks.get(1).log().contains("[srun] srun: error: Unable to create step"), "srun's words reach it: " + ranks.get(1).log());
    }
}
