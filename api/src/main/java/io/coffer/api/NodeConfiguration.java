package io.coffer.api;

import io.coffer.core.config.CofferConfig;
import io.coffer.core.config.ConfigParser;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Loads the two halves of the configuration from the same YAML: {@code server.*} for Helidon's
 * WebServer (Helidon's own environment mapping applies, e.g. {@code SERVER_PORT}), and {@code coffer.*}
 * parsed and validated by core's {@link ConfigParser} (with its own, documented environment mapping).
 *
 * <p>The YAML is the file given with {@code --config} or {@code COFFER_CONFIG}; without one, the
 * classpath's {@code application.yaml} (local dev chains). The {@code coffer} keys are never merged
 * from both: a chain list half from the file and half from the defaults would follow chains nobody
 * configured. {@code server} keys missing from the file fall back to the defaults.
 *
 * @param server the Helidon config for the {@code server} node
 * @param coffer the validated Coffer configuration
 */
public record NodeConfiguration(Config server, CofferConfig coffer) {

    public static NodeConfiguration load(Path file, Map<String, String> env) {
        if (file != null && !Files.isRegularFile(file)) {
            throw new io.coffer.core.config.ConfigException("--config", "no such file: " + file);
        }
        // Coffer keys: the file(s) only; ConfigParser applies the environment itself, by its own rules.
        Config fileOnly = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(file != null ? ConfigSources.file(file).build() : ConfigSources.classpath("application.yaml").build())
                .build();

        Map<String, String> flat = new TreeMap<>(fileOnly.get("coffer").asMap().orElse(Map.of()));
        CofferConfig coffer = ConfigParser.parse(flat, env);

        Config.Builder serverBuilder = Config.builder();
        if (file != null) {
            serverBuilder.addSource(ConfigSources.file(file));
        }
        serverBuilder.addSource(ConfigSources.classpath("application.yaml").optional());
        Config server = serverBuilder.build().get("server");
        return new NodeConfiguration(server, coffer);
    }
}
