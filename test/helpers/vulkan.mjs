// A Vulkan device for the webgpu tests on machines without a GPU: SwiftShader, which Debian's chromium
// package ships (apt-get install chromium libvulkan1). Debian 12's Mesa lavapipe is refused by Dawn.
// Only fills in what is unset, so a workstation can point VK_ICD_FILENAMES at its own driver.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Sets VK_ICD_FILENAMES (SwiftShader, where installed) and XDG_RUNTIME_DIR (Dawn's loader warns without it) in env. */
export function useSoftwareVulkan(env = process.env) {
  if (!env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  if (!env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'noisynn-xdg-'));
  return env;
}
