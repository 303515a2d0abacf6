import type { FastifyInstance } from 'fastify';
import { homePath } from '../web/navigation.ts';
import { registerAdminSetupRoutes } from './admin-setup-routes.ts';
import { registerForgotPasswordRoutes } from './forgot-password-routes.ts';
import { registerLoginRoutes } from './login-routes.ts';
import { registerPasswordCheckRoutes } from './password-check-routes.ts';
import { registerResetPasswordRoutes } from './reset-password-routes.ts';
import type { AuthRouteOptions } from './route-options.ts';
import { registerSignupRoutes } from './signup-routes.ts';
import { registerSudoRoutes } from './sudo-routes.ts';
import { registerVerifyEmailRoutes } from './verify-email-routes.ts';

export async function registerAuthRoutes(app: FastifyInstance, options: AuthRouteOptions): Promise<void> {
  app.get('/', async (request, reply) => reply.redirect(request.viewer ? homePath : '/login'));
  registerSignupRoutes(app, options);
  registerAdminSetupRoutes(app, options);
  registerLoginRoutes(app, options);
  registerSudoRoutes(app, options);
  registerPasswordCheckRoutes(app, options);
  registerVerifyEmailRoutes(app, options);
  registerForgotPasswordRoutes(app, options);
  registerResetPasswordRoutes(app, options);
}
