// The application menu: the standard edit/view/window roles plus the data folder and the browser view
// of the same backend (handy for a second monitor or a screenshot).
import { app, dialog, Menu, shell, type MenuItemConstructorOptions } from 'electron';

export function installMenu(o: { dataDir: () => string | null; appUrl: () => string | null }): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'Open data folder',
          click: () => {
            const d = o.dataDir();
            if (d) void shell.openPath(d);
          },
        },
        {
          label: 'Open in browser',
          click: () => {
            const u = o.appUrl();
            if (u) void shell.openExternal(u);
          },
        },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        {
          label: 'About NoisyNN Workbench',
          click: () =>
            void dialog.showMessageBox({
              type: 'info',
              title: 'NoisyNN Workbench',
              message: `NoisyNN Workbench ${app.getVersion()}`,
              detail: `Electron ${process.versions.electron}, data folder: ${o.dataDir() ?? 'not started'}`,
            }),
        },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
