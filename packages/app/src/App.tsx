import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import openBaoBackupPlugin from '@internal/plugin-openbao-backup';
import { navModule } from './modules/nav';

export default createApp({
  features: [
    catalogPlugin,
    openBaoBackupPlugin,
    notificationsPlugin,
    userSettingsPlugin,
    navModule,
  ],
});
