// The migration, as data: the order here is the order of the runbook.
import type { Step } from '../types.js';
import { cleanupStep } from './cleanup.js';
import { configureStep } from './configure.js';
import { deployStep } from './deploy.js';
import { envStep } from './env.js';
import { initStep } from './init.js';
import { seedStep } from './seed.js';
import { tokenStep } from './token.js';
import { unsealStep } from './unseal.js';
import { verifyStep } from './verify.js';

export const MIGRATION_STEPS: Step[] = [deployStep, initStep, unsealStep, configureStep, seedStep, tokenStep, envStep, verifyStep, cleanupStep];
