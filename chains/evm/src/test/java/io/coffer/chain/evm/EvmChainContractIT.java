package io.coffer.chain.evm;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainContractSuite;
import io.coffer.core.chain.ChainSource;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.core.custody.AccountScheme;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.WithDevnet;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;

/** The shared chain contract on a real anvil (pool mode: transactions wait for a mined block). */
@WithDevnet
class EvmChainContractIT extends ChainContractSuite {
    private AnvilNode anvil;
    private EvmChainSource source;

    @BeforeEach
    void connect(AnvilNode anvil) {
        this.anvil = anvil;
        anvil.setAutomine(false);
        EvmChainConfig config = new EvmChainConfig("ethereum", AnvilNode.CHAIN_ID, anvil.rpcUrl(), CONFIRMATIONS, SAFETY,
                Duration.ofSeconds(1), "ETH", 18, true, List.of());
        this.source = new EvmChainSource(new EvmRpcClient(config), config);
    }

    @Override
    protected ChainSource source() {
        return source;
    }

    @Override
    protected AddressBook.Encoder encoder() {
        return EvmAddresses.encoder();
    }

    @Override
    protected AccountScheme scheme() {
        return AccountScheme.EVM;
    }

    @Override
    protected String asset() {
        return "ethereum/ETH";
    }

    @Override
    protected String pay(String address, BigInteger amount) {
        return anvil.send(address, amount);
    }

    @Override
    protected void mine(int blocks) {
        anvil.mine(blocks);
    }

    @Override
    protected void reorg(int depth) {
        anvil.reorgKeepingTransactions(depth);
    }
}
