// The peer moved to src/testing so other packages' integration tests (the alerter's) can use it too.
export * from "../src/testing/receiver.js";
