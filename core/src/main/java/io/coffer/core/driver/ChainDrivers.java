package io.coffer.core.driver;

import io.coffer.core.config.ChainConfig;
import io.coffer.core.config.ConfigException;
import java.util.List;
import java.util.ServiceLoader;

/** The chain drivers on the class path, found once, and the one for a configured chain. */
public final class ChainDrivers {
    private static final List<ChainDriver> DRIVERS = ServiceLoader.load(ChainDriver.class).stream().map(ServiceLoader.Provider::get).toList();

    private ChainDrivers() {
    }

    /** @throws ConfigException when no chain module on the class path drives this chain's kind */
    public static ChainDriver of(ChainConfig config, String key) {
        return DRIVERS.stream().filter(d -> d.drives(config)).findFirst()
                .orElseThrow(() -> new ConfigException(key, "no chain module for this kind of chain is installed"));
    }
}
