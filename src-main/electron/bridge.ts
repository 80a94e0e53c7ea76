// IPC channel names shared by ipc.ts (main) and preload.ts. The bridge's shape is the contract's
// DesktopBridge: the renderer imports that, never this folder.
export const CHANNEL = { openFolder: 'dialog.openFolder', showInFolder: 'shell.showInFolder' } as const;
