package io.mepsidecar.config;

import io.mepsidecar.contract.Operation;

import java.net.URI;

/**
 * An operation this pod's app implements.
 *
 * @param operation the contract operation
 * @param path      the path on the app that receives its requests
 * @param target    the full URL the requests are POSTed to
 */
public record ServedOperation(Operation operation, String path, URI target) {
}
