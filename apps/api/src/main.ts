import { runServer } from '@lambdaflex/nest';
import { AppModule } from './app.module';

// The server entry (Fargate behind an ALB, and local): PORT, keep-alive past the ALB's, drain on SIGTERM.
void runServer(AppModule.forRoot());
