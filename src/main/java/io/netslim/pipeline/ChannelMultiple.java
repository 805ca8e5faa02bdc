package io.netslim.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.config.JobConfig;
import io.netslim.cpu.ConvolutionBlock;
import io.netslim.train.TrainingKernels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code prune.channel-multiple} as a job applies it: the configured count, or {@code auto} resolved once, on the
 * driver (the machine that prunes, also for candidates pruned on executors), to its {@link ConvolutionBlock}.
 */
public record ChannelMultiple(int multiple, String configured, String reason) {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelMultiple.class);

    /** {@code p}'s channel multiple, resolved for this JVM when {@code auto} (logged). */
    public static ChannelMultiple of(JobConfig.PruneConfig p) {
        if (!p.channelMultipleAuto()) {
            return new ChannelMultiple(p.channelMultiple(), String.valueOf(p.channelMultiple()),
                    "prune.channel-multiple = " + p.channelMultiple());
        }
        ConvolutionBlock block = ConvolutionBlock.here(TrainingKernels.backend());
        LOG.info("prune.channel-multiple = auto: {} ({})", block.channels(), block.reason());
        return new ChannelMultiple(block.channels(), "auto", block.reason());
    }

    /** {@code cfg} with {@code prune.channel-multiple} resolved for this JVM (unchanged unless auto). */
    public static JobConfig resolved(JobConfig cfg) {
        return of(cfg.prune()).applyTo(cfg);
    }

    /** {@code cfg} pruning with this multiple. */
    public JobConfig applyTo(JobConfig cfg) {
        return cfg.withPrune(cfg.prune().withChannelMultiple(multiple));
    }

    /** {@code {value, configured, reason}} for report.json. */
    ObjectNode json() {
        return new ObjectMapper().createObjectNode().put("value", multiple).put("configured", configured)
                .put("reason", reason);
    }
}
