namespace CallCenter.Telephony.Transcription.Model;

public sealed unsafe partial class WhisperState
{
    // One-token products below this many multiply-adds run on the caller alone (the self-attention projections).
    private const long RowsForkThreshold = 1 << 19;

    // Parts per thread for one-token products: whichever thread runs ahead claims more of them.
    private const int RowsPartsPerThread = 4;

    /// <summary>One-token product c = a · Wᵀ (+ bias), split into contiguous blocks of output columns.</summary>
    private sealed class RowsJob : IPartJob
    {
        public float* A;
        public ushort* W;
        public float* C;
        public float* Bias;
        public int M;
        public int N;
        public int K;

        public void Run(int part, int parts, int worker)
        {
            var chunk = ((N + parts - 1) / parts + 7) & ~7;
            var n0 = Math.Min(N, part * chunk);
            var n1 = Math.Min(N, (part + 1) * chunk);
            if (n0 < n1)
            {
                MatMulF16.Rows(A, K, W, K, C, N, M, n0, n1, K, Bias);
            }
        }
    }

    /// <summary>The decoder's attention for one query row: one contiguous group of heads per part.</summary>
    private sealed class HeadsJob(WhisperState state) : IPartJob
    {
        public float* Q;
        public ushort* Keys;
        public ushort* Values;
        public bool KeysTransposed;
        public int Row;
        public int Visible;
        public int Heads;

        public void Run(int part, int parts, int worker)
        {
            for (var h = part * Heads / parts; h < (part + 1) * Heads / parts; h++)
            {
                state.AttentionHead(this, h);
            }
        }
    }

    /// <summary>Many-rows product c = a · Wᵀ (+ bias): one part per 64-row × TileColumns tile, widened into the worker's scratch.</summary>
    private sealed class TilesJob : IPartJob
    {
        public float* A;
        public ushort* W;
        public float* C;
        public float* Bias;
        public float* Scratch;
        public long ScratchPerWorker;
        public int M;
        public int N;
        public int K;

        public void Run(int part, int parts, int worker)
        {
            var mTiles = (M + MatMulF16.TileRows - 1) / MatMulF16.TileRows;
            var nTile = MatMulF16.TileColumns(K);
            MatMulF16.Tile(part, mTiles, MatMulF16.TileRows, nTile, A, K, W, K, C, N, M, N, K, Bias, Scratch + worker * ScratchPerWorker);
        }
    }

    /// <summary>The encoder's attention: one part per (head, 32-row block), scores in the worker's block.</summary>
    private sealed class EncoderAttentionJob(WhisperState state) : IPartJob
    {
        public int N;
        public int Heads;

        public void Run(int part, int parts, int worker)
        {
            var blocks = (N + AttentionRowBlock - 1) / AttentionRowBlock;
            state.EncoderAttentionBlock(part / blocks, part % blocks * AttentionRowBlock, N, Heads, worker);
        }
    }

    // many rows through an f16 linear layer on the state's fork-join, with no pool arrays and no closures
    private bool TryForkTiles(Linear l, float* input, int m, float* output)
    {
        if (l.W16 is null || m <= 4)
        {
            return false;
        }

        var mTiles = (m + MatMulF16.TileRows - 1) / MatMulF16.TileRows;
        var nTile = MatMulF16.TileColumns(l.In);
        var total = mTiles * ((l.Out + nTile - 1) / nTile);
        fixed (ushort* w = l.W16)
        {
            var job = tilesJob;
            job.A = input;
            job.W = w;
            job.C = output;
            job.Bias = l.B is null ? null : P(l.B);
            job.Scratch = P(tileScratch);
            job.ScratchPerWorker = tileScratch.Length / Threads;
            (job.M, job.N, job.K) = (m, l.Out, l.In);
            if (Threads > 1 && (long)m * l.Out * l.In >= MatMulF16.ParallelThreshold)
            {
                fork.Run(job, total);
            }
            else
            {
                for (var t = 0; t < total; t++)
                {
                    job.Run(t, total, 0);
                }
            }
            job.A = job.C = job.Bias = job.Scratch = null;
            job.W = null;
        }

        return true;
    }

    // one token through an f16 linear layer, forked when it is big enough to pay for waking a helper
    private bool TryForkRows(Linear l, float* input, int m, float* output)
    {
        if (l.W16 is null || m > 4 || Threads <= 1 || (long)m * l.Out * l.In < RowsForkThreshold)
        {
            return false;
        }

        var bias = l.B is null ? null : P(l.B);
        fixed (ushort* w = l.W16)
        {
            var job = rowsJob;
            job.A = input;
            job.W = w;
            job.C = output;
            job.Bias = bias;
            (job.M, job.N, job.K) = (m, l.Out, l.In);
            fork.Run(job, Threads * RowsPartsPerThread);
            job.A = job.C = job.Bias = null;
            job.W = null;
        }

        return true;
    }
}
