/** Launch-agent settings knowledge: EC2Launch v2 tasks, LaunchConfig.json keys, EC2Config plugins and properties. */
export * from './value-schema.js';
export * from './ec2launch-v2.js';
export * from './ec2launch-v1.js';
export * from './ec2config.js';
export * from './aws-answer-files.js';
