// The webgpu tests run on whatever adapter Dawn finds (SwiftShader on CI, see vulkan.mjs). Without
// one they are skipped with the reason, except under CI=true, where they run and fail.
import { probeWebgpu } from '../../src-main/engine/webgpu';
// @ts-expect-error: a plain .mjs helper shared with test/run.mjs
import { useSoftwareVulkan } from './vulkan.mjs';

useSoftwareVulkan();
const probe = await probeWebgpu();

/** For node:test's `skip` option: false (run) when an adapter is there or under CI, else the reason. */
export const webgpuSkip: string | false = probe.available || process.env.CI === 'true' ? false : `no WebGPU adapter: ${probe.why}`;
