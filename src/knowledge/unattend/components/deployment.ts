/** Microsoft-Windows-Deployment: RunSynchronous/RunAsynchronous, Reseal, Generalize. */
import { AUDIT_SYSTEM, AUDIT_USER, GENERALIZE, OOBE, SPECIALIZE, bool, box, commandItem, component, credentials, list, oneOf, str } from '../dsl.js';

/** Microsoft-Windows-Deployment. */
export const DEPLOYMENT = component('Microsoft-Windows-Deployment', [
  box('ExtendOSPartition', [bool('Extend')], { passes: [AUDIT_SYSTEM, GENERALIZE, OOBE, SPECIALIZE] }),
  box('Generalize', [bool('ForceShutdownNow'), oneOf('Mode', ['OOBE', 'Audit'])], { passes: [AUDIT_USER] }),
  box('Reseal', [bool('ForceShutdownNow'), oneOf('Mode', ['Audit', 'OOBE'])], { passes: [AUDIT_SYSTEM, AUDIT_USER, OOBE] }),
  list(
    'RunAsynchronous',
    commandItem('RunAsynchronousCommand', [str('Path', { maxLength: 259 }), str('Description', { maxLength: 259, allowEmpty: true }), credentials()]),
    { passes: [AUDIT_USER, SPECIALIZE] },
  ),
  list(
    'RunSynchronous',
    commandItem('RunSynchronousCommand', [
      str('Path', { maxLength: 259 }),
      str('Description', { maxLength: 259, allowEmpty: true }),
      credentials(),
      oneOf('WillReboot', ['Always', 'OnRequest', 'Never']),
    ]),
    { passes: [AUDIT_USER, SPECIALIZE] },
  ),
  str('DeviceForm', { passes: [SPECIALIZE, OOBE] }),
]);
