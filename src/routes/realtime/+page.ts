// The page opens a socket from `location`, so it only renders in the browser.
export const ssr = false;
