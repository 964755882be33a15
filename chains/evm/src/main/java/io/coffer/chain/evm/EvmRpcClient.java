package io.coffer.chain.evm;

import io.coffer.core.chain.ChainInfo;
import io.coffer.core.chain.ChainNode;
import io.coffer.core.chain.ChainUnavailableException;
import io.coffer.core.config.EvmChainConfig;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.http.HttpService;

/**
 * An EVM chain node's JSON-RPC through web3j. Thread-safe. Transport failures and timeouts become
 * {@link ChainUnavailableException}; so does an error answer, with the node's message.
 */
public final class EvmRpcClient implements ChainNode {
    private final String chain;
    private final URI url;
    private final OkHttpClient http;
    private final Web3j web3j;
    private final HttpService service;

    public EvmRpcClient(EvmChainConfig config) {
        this(config.name(), config.rpcUrl(), Duration.ofSeconds(30));
    }

    public EvmRpcClient(String chain, URI url, Duration timeout) {
        this.chain = chain;
        this.url = url;
        this.http = new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(5))
                .readTimeout(timeout)
                .writeTimeout(timeout)
                .callTimeout(timeout)
                .build();
        this.service = new HttpService(url.toString(), http);
        this.web3j = Web3j.build(service);
    }

    @Override
    public String chainName() {
        return chain;
    }

    /** Chain id from {@code eth_chainId}; tip from the latest block (number and hash of one block). */
    @Override
    public ChainInfo info() {
        long chainId = check("eth_chainId", send(() -> web3j.ethChainId().send())).getChainId().longValueExact();
        EthBlock.Block latest = check("eth_getBlockByNumber",
                send(() -> web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send())).getBlock();
        if (latest == null) {
            throw new ChainUnavailableException(chain, "the node returned no latest block", null);
        }
        return new ChainInfo(Long.toString(chainId), latest.getNumber().longValueExact(), latest.getHash());
    }

    /** The underlying web3j instance, for the adapter's own calls. */
    Web3j web3j() {
        return web3j;
    }

    /** A JSON-RPC response whose result is left as parsed JSON (maps, lists, strings). */
    public static final class AnyResponse extends Response<Object> {
    }

    /**
     * Calls a method web3j has no typed binding for (txpool_content...). Returns the result; an error
     * answer becomes {@link EvmRpcException} with the node's code and message.
     */
    public Object call(String method, Object... params) {
        AnyResponse r = send(() -> new org.web3j.protocol.core.Request<>(method, java.util.List.of(params), service, AnyResponse.class).send());
        if (r.hasError()) {
            throw new EvmRpcException(chain, method, r.getError().getCode(), r.getError().getMessage());
        }
        return r.getResult();
    }

    /**
     * Calls {@code method} once per parameter list, all in one JSON-RPC batch (one round trip); the results in the order of
     * {@code params}, a null result (say, no such transaction) as null.
     *
     * @throws EvmRpcException when the node answers any of them with an error, or not each of them
     */
    public List<Object> batch(String method, List<List<Object>> params) {
        if (params.isEmpty()) {
            return List.of();
        }
        org.web3j.protocol.core.BatchRequest batch = web3j.newBatch();
        List<org.web3j.protocol.core.Request<?, AnyResponse>> requests = new java.util.ArrayList<>(params.size());
        for (List<Object> p : params) {
            org.web3j.protocol.core.Request<?, AnyResponse> r = new org.web3j.protocol.core.Request<>(method, p, service, AnyResponse.class);
            requests.add(r);
            batch.add(r);
        }
        org.web3j.protocol.core.BatchResponse answer = send(batch::send);
        // Matched by id: JSON-RPC lets a node answer a batch in any order.
        Map<Long, Response<?>> byId = new java.util.HashMap<>();
        for (Response<?> r : answer.getResponses()) {
            byId.put(r.getId(), r);
        }
        List<Object> out = new java.util.ArrayList<>(requests.size());
        for (org.web3j.protocol.core.Request<?, AnyResponse> r : requests) {
            Response<?> got = byId.get(r.getId());
            if (got == null) {
                throw new EvmRpcException(chain, method, 0, "no answer to one call of a batch of " + requests.size());
            }
            if (got.hasError()) {
                throw new EvmRpcException(chain, method, got.getError().getCode(), got.getError().getMessage());
            }
            out.add(got.getResult());
        }
        return out;
    }

    /**
     * A method web3j binds with other parameters than the ones used here ({@code eth_getBlockReceipts} by block hash), answered
     * as web3j's {@code type}; errors as {@link #typed}.
     */
    public <R extends Response<?>> R typed(String method, Class<R> type, Object... params) {
        return typed(method, () -> new org.web3j.protocol.core.Request<>(method, java.util.List.of(params), service, type).send());
    }

    /** Typed web3j calls with this client's error handling (transport -> unavailable, error -> EvmRpcException). */
    public <R extends Response<?>> R typed(String method, Call<R> call) {
        R r = send(call);
        if (r.hasError()) {
            throw new EvmRpcException(chain, method, r.getError().getCode(), r.getError().getMessage());
        }
        return r;
    }

    /** A web3j request to run. */
    public interface Call<T> {
        T run() throws IOException;
    }

    private <T> T send(Call<T> call) {
        try {
            return call.run();
        } catch (InterruptedIOException e) {
            throw new ChainUnavailableException(chain, "EVM node at " + url + " timed out", e);
        } catch (IOException e) {
            throw new ChainUnavailableException(chain, "cannot reach the EVM node at " + url + ": " + e.getClass().getSimpleName(), e);
        }
    }

    private <R extends Response<?>> R check(String method, R response) {
        if (response.hasError()) {
            throw new ChainUnavailableException(chain, method + " failed: " + response.getError().getMessage()
                    + " (code " + response.getError().getCode() + ")", null);
        }
        return response;
    }

    @Override
    public void close() {
        web3j.shutdown();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
