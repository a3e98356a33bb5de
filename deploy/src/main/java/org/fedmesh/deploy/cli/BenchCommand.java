package org.fedmesh.deploy.cli;

import org.fedmesh.deploy.bench.AggregationBenchCommand;
import org.fedmesh.deploy.bench.LearningBenchCommand;
import org.fedmesh.deploy.bench.TrainingBenchCommand;
import picocli.CommandLine.Command;

/** {@code fedmesh bench ...}: benchmarks, each printing its figures and writing a JSON report. */
@Command(name = "bench", description = "Benchmarks; each writes a JSON report with --report.",
    subcommands = {AggregationBenchCommand.class, TrainingBenchCommand.class, LearningBenchCommand.class})
public final class BenchCommand {}
