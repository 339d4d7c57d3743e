package org.cnnj.optim;

/**
 * Learning rate as a function of the step (or epoch) index, as a factor of the base rate.
 * Compose: {@code new Warmup(100, new Cosine(10_000, 0.01))}.
 */
public sealed interface LrSchedule {
    double factor(long step);

    default double lr(double base, long step) {
        return base * factor(step);
    }

    record Constant() implements LrSchedule {
        public double factor(long step) {
            return 1;
        }
    }

    /** ×gamma every {@code every} steps (torch StepLR). */
    record Step(long every, double gamma) implements LrSchedule {
        public Step {
            if (every < 1) throw new IllegalArgumentException("step schedule: interval must be >= 1, got " + every);
        }

        public double factor(long step) {
            return Math.pow(gamma, step / every);
        }
    }

    /** Half-cosine from 1 down to {@code minFactor} over {@code total} steps, then flat (torch CosineAnnealingLR). */
    record Cosine(long total, double minFactor) implements LrSchedule {
        public Cosine {
            if (total < 1)
                throw new IllegalArgumentException("cosine schedule: total steps must be >= 1, got " + total);
        }

        public double factor(long step) {
            double t = Math.min(step, total) / (double) total;
            return minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * t));
        }
    }

    /** Linear ramp from 1/(steps+1) to 1 over the first {@code steps} steps, then {@code after} (shifted). */
    record Warmup(long steps, LrSchedule after) implements LrSchedule {
        public double factor(long step) {
            if (step < steps) return (step + 1) / (double) (steps + 1);
            return after.factor(step - steps);
        }
    }
}
