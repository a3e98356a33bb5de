package org.fedmesh.deploy.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fedmesh.node.FedmeshNode;

/** A site's configuration file as the commands read it: -D system properties over the file over the defaults. */
final class SiteConfig {
  private SiteConfig() {}

  static Config load(Path file) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("cannot read the configuration file " + file);
    }
    return ConfigFactory.systemProperties()
        .withFallback(ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)))
        .withFallback(FedmeshNode.defaults())
        .resolve();
  }
}
