// The page opens its socket from `location` and loads the WASM codec, so it renders in the browser only.
export const ssr = false;
