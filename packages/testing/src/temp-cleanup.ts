import { afterAll } from "vitest";
import { removeTempDirs } from "./temp.js";

// Vitest setup file (every project): the temp directories a test file made with tempDir() go when the file is done.
afterAll(() => removeTempDirs());
