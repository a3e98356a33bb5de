package org.fedmesh.deploy.cli;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.fedmesh.node.data.BundledDatasets;
import org.fedmesh.node.data.CsvLoader;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Partition;
import org.fedmesh.node.data.Partitioner;
import org.fedmesh.node.data.Splits;
import org.fedmesh.node.data.Task;
import org.fedmesh.node.data.TrainTest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fedmesh data split}: one data set cut into per-member CSV files, to try a consortium on one machine. */
@Command(name = "data", description = "Data set tools.", subcommands = DataCommand.Split.class)
public final class DataCommand {

  @Command(name = "split", mixinStandardHelpOptions = true,
      description = "Split a data set into part-1.csv .. part-N.csv (one per member) and test.csv, unscaled.")
  static final class Split implements Callable<Integer> {
    @Option(names = "--dataset", required = true, description = "breast-cancer | digits | PATH.csv")
    String dataset;

    @Option(names = "--parts", required = true, description = "Number of members.")
    int parts;

    @Option(names = "--partition", defaultValue = "iid", description = "iid | dirichlet:ALPHA (default: ${DEFAULT-VALUE}).")
    String partition;

    @Option(names = "--test-fraction", defaultValue = "0.25", description = "Rows held out in test.csv (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "Directory for the CSV files.")
    Path out;

    @Override
    public Integer call() throws IOException {
      Dataset all = BundledDatasets.names().contains(dataset) ? BundledDatasets.load(dataset)
          : CsvLoader.load(Path.of(dataset), null, Task.CLASSIFICATION);
      Partition split = Partitioner.parse(partition);
      TrainTest trainTest = Splits.trainTest(all, testFraction, seed);
      List<Dataset> members = split.split(trainTest.train(), parts, seed);
      Files.createDirectories(out);
      for (int i = 0; i < members.size(); i++) {
        write(members.get(i), out.resolve("part-" + (i + 1) + ".csv"));
      }
      write(trainTest.test(), out.resolve("test.csv"));
      System.out.println("Wrote " + members.size() + " parts (" + split + ") and test.csv of " + all.name()
          + " to " + out.toAbsolutePath() + "; classes " + all.classNames());
      return 0;
    }

    private static void write(Dataset data, Path file) throws IOException {
      List<String> header = new ArrayList<>();
      for (int c = 0; c < data.cols(); c++) {
        header.add("x" + c);
      }
      header.add("label");
      try (Writer writer = Files.newBufferedWriter(file);
           CSVPrinter csv = CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).get()
               .print(writer)) {
        for (int r = 0; r < data.rows(); r++) {
          List<Object> row = new ArrayList<>();
          for (int c = 0; c < data.cols(); c++) {
            row.add(data.features()[r * data.cols() + c]);
          }
          row.add(data.isClassification() ? data.classNames().get(data.label(r)) : data.targets()[r]);
          csv.printRecord(row);
        }
      }
    }
  }
}
