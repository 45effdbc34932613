using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Pipeline;

namespace CallCenter.Telephony.Tests.Pipeline;

public sealed class LegBacklogTests
{
    private static Utterance U(CallLeg leg, long start, int samples) => new(leg, start, new short[samples], 0);

    [Fact]
    public void AFullAgentQueueBatchesTheNewUtteranceIntoTheLastAndDropsNothing()
    {
        var queue = new LegBacklog(CallLeg.Agent, capacity: 2);
        queue.Enqueue(U(CallLeg.Agent, 0, 800), out _).ShouldBe(EnqueueOutcome.Queued);
        queue.Enqueue(U(CallLeg.Agent, 8000, 800), out _).ShouldBe(EnqueueOutcome.Queued);

        queue.Enqueue(U(CallLeg.Agent, 16000, 1600), out var dropped).ShouldBe(EnqueueOutcome.Batched);
        queue.Enqueue(U(CallLeg.Agent, 24000, 400), out _).ShouldBe(EnqueueOutcome.Batched);

        dropped.ShouldBeNull();
        queue.Count.ShouldBe(2);
        queue.TryDequeue(out var first).ShouldBeTrue();
        first.StartSample.ShouldBe(0);
        queue.TryDequeue(out var batch).ShouldBeTrue();
        batch.StartSample.ShouldBe(8000);
        batch.Pcm8k.Length.ShouldBe(800 + 1600 + 400);
        batch.Batched.ShouldBe(3);
    }

    [Fact]
    public void AFullCustomerQueueDropsItsOldestAndHandsItBack()
    {
        var queue = new LegBacklog(CallLeg.Customer, capacity: 2);
        queue.Enqueue(U(CallLeg.Customer, 0, 800), out _);
        queue.Enqueue(U(CallLeg.Customer, 8000, 800), out _);

        queue.Enqueue(U(CallLeg.Customer, 16000, 800), out var dropped).ShouldBe(EnqueueOutcome.DroppedOldest);

        dropped.ShouldNotBeNull().StartSample.ShouldBe(0);
        queue.TryDequeue(out var next).ShouldBeTrue();
        next.StartSample.ShouldBe(8000);
        queue.TryDequeue(out next).ShouldBeTrue();
        next.StartSample.ShouldBe(16000);
        queue.TryDequeue(out _).ShouldBeFalse();
    }

    [Fact]
    public void ManyProducersNeverLoseAnAgentSample()
    {
        var queue = new LegBacklog(CallLeg.Agent, capacity: 4);
        Parallel.For(0, 200, i => queue.Enqueue(U(CallLeg.Agent, i * 1000L, 10), out _));

        var total = 0;
        while (queue.TryDequeue(out var u))
        {
            total += u.Pcm8k.Length;
        }

        total.ShouldBe(200 * 10);
    }
}
