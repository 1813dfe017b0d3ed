/** Types of scripts/node-runtime.cjs (plain JavaScript: it runs before anything is installed). */
/** The oldest Node the project runs on, from package.json `engines.node`. */
export declare const MIN_NODE_VERSION: string;
export declare const MIN_NODE_MAJOR: number;
/** The Node build fetched where the machine's Node is older. */
export declare const PINNED_NODE_VERSION: string;
export declare class NodeRuntimeError extends Error {}
/** True when `version` ("20.20.2" or "v24.1.0") is older than MIN_NODE_VERSION. */
export declare function isTooOld(version: string): boolean;
/** The registry package holding the Node binary for a platform and architecture. */
export declare function nodePackageName(platform?: string, arch?: string): string;
/** Where the pinned Node's executable lives once fetched (under XDG_CACHE_HOME or ~/.cache). */
export declare function pinnedNodePath(env?: NodeJS.ProcessEnv): string;
/** The per-user cache folder shared with the Temporal binaries. */
export declare function userCacheDir(env?: NodeJS.ProcessEnv): string;
/** How to run npm under the running Node. */
export declare function npmCommand(env?: NodeJS.ProcessEnv): { cmd: string; args: string[] };
/** The pinned Node's path, fetched into the per-user cache first when missing. */
export declare function ensurePinnedNode(opts?: { log?: (line: string) => void; env?: NodeJS.ProcessEnv }): Promise<string>;
